# SPDX-License-Identifier: GPL-2.0
# What zsh offers for command lines: for each LINE, the matches one a line,
# then a line END_OF_COMPLETION:
#   zsh -f tests/lib/zsh-complete.zsh FUNCTION_DIR DIR 'iotrace -o ' ...
# Completion runs only inside the line editor, so one interactive zsh is
# started on a pseudo-terminal (zpty), in DIR, with compinit and
# FUNCTION_DIR first in fpath, and each line is typed there with a TAB,
# then erased (^U).  Its compadd is wrapped to append every match it adds
# (the words, after matching against the line) to a file, and TAB writes
# the end marker there once the completion is over.  Exits 2 when one does
# not end within 20 s.
zmodload zsh/zpty || exit 2
fdir=${1:a}
cd $2 || exit 2
shift 2
# no EXIT trap: the shell zpty forks for the inner zsh would inherit and run it
out=$(mktemp) || exit 2

zpty -b comp zsh -f -i || exit 2
# each write is one line the inner zsh runs as a command, before the TABs
zpty -w comp "PS1='' RPS1='' fpath=(${(q)fdir} \$fpath)"
zpty -w comp "autoload -Uz compinit && compinit -u -D"
zpty -w comp "typeset -g outfile=${(q)out}"
zpty -w comp 'compadd() {
  if (( ${@[(I)-[OAD]]} )); then builtin compadd "$@"; return; fi
  local -a m
  builtin compadd -O m "$@"
  (( $#m )) && print -rl -- $m >> $outfile
  builtin compadd "$@"
}'
# TAB: complete, then mark the end; no listing of the matches, so no
# "do you wish to see all" question in the way of the next line
zpty -w comp 'tab() { zle complete-word; print -r -- END_OF_COMPLETION >> $outfile }'
zpty -w comp 'zle -N tab; bindkey -e; bindkey "^I" tab; unsetopt autolist'

# the number of completions that have ended
ended() {
  local -a lines=(${(f)"$(<$out)"})
  print ${#${(M)lines:#END_OF_COMPLETION}}
}

integer n=0 failed=0
for line in "$@"; do
  (( n++ ))
  zpty -w -n comp "$line"$'\t'
  for i in {1..200}; do
    (( $(ended) >= n )) && break
    sleep 0.05
    zpty -rt comp junk 2>/dev/null # drain the terminal so the inner zsh never blocks on it
  done
  if (( $(ended) < n )); then
    print -u2 "zsh-complete: no end of completion for '$line' within 20 s"
    failed=1
    break
  fi
  zpty -w -n comp $'\C-u'
done
zpty -d comp
(( failed )) || print -rl -- ${(f)"$(<$out)"}
rm -f $out
exit $(( failed ? 2 : 0 ))
