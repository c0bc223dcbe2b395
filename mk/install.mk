# SPDX-License-Identifier: GPL-2.0
# make install / make uninstall: the binary, the three man pages and the bash
# and zsh completions under PREFIX (default /usr/local), each directory
# overridable; DESTDIR stages the tree somewhere else, as packagers do:
#   make install DESTDIR=pkgroot PREFIX=/usr
# install -D creates the directories, so DESTDIR needs no root.

PREFIX      ?= /usr/local
BINDIR      ?= $(PREFIX)/bin
MANDIR      ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/site-functions
INSTALL     ?= install

.PHONY: install uninstall
install: $(BIN) ## install iotrace, its man pages and completions (PREFIX=/usr/local, DESTDIR)
	$(call msg,INSTALL,$(DESTDIR)$(BINDIR)/iotrace)
	$(Q)$(INSTALL) -D -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/iotrace
	$(Q)$(INSTALL) -D -m 0644 docs/man/iotrace.1 $(DESTDIR)$(MANDIR)/man1/iotrace.1
	$(Q)$(INSTALL) -D -m 0644 docs/man/iotrace-report.1 $(DESTDIR)$(MANDIR)/man1/iotrace-report.1
	$(Q)$(INSTALL) -D -m 0644 docs/man/iotrace-top.1 $(DESTDIR)$(MANDIR)/man1/iotrace-top.1
	$(Q)$(INSTALL) -D -m 0644 completions/iotrace.bash $(DESTDIR)$(BASHCOMPDIR)/iotrace
	$(Q)$(INSTALL) -D -m 0644 completions/_iotrace $(DESTDIR)$(ZSHCOMPDIR)/_iotrace

uninstall: ## remove what make install put there (the same PREFIX and DESTDIR)
	$(call msg,RM,$(DESTDIR)$(BINDIR)/iotrace)
	$(Q)rm -f $(DESTDIR)$(BINDIR)/iotrace \
		$(DESTDIR)$(MANDIR)/man1/iotrace.1 $(DESTDIR)$(MANDIR)/man1/iotrace-report.1 \
		$(DESTDIR)$(MANDIR)/man1/iotrace-top.1 \
		$(DESTDIR)$(BASHCOMPDIR)/iotrace $(DESTDIR)$(ZSHCOMPDIR)/_iotrace
