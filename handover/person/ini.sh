# ini.sh: sourced by setup.sh and session.sh. Writes one [section] of an AWS config or credentials file, keeping
# every other section, comment and blank line as it was.

# check_writable FILE: fails (through `fail`) unless FILE can be replaced; sets $target (a link's end) and $dir.
# Run before anything that cannot be undone (spending an MFA code).
check_writable() {
	file=$1
	target=$file
	# A link stays a link: its target gets the new content (readlink -f: GNU, BusyBox, macOS 12.3+).
	if [ -L "$file" ]; then target=$(readlink -f -- "$file") || fail "$file is a broken or looping link: point it at a file"; fi
	case $target in */*) dir=${target%/*} ;; *) dir=. ;; esac
	dir=${dir:-/}
	# The mode bits decide, for root too: a file with no write bit says "leave me alone".
	if [ -e "$target" ]; then
		case $(ls -ld -- "$target") in
		??-??-??-*) fail "$file is read-only, so it is left alone: make it writable (chmod u+w)${2:-}" ;;
		esac
	elif [ ! -d "$dir" ]; then
		mkdir -p -- "$dir" && chmod 700 -- "$dir" || fail "cannot create the folder $dir"
	fi
	[ -w "$dir" ] || fail "the folder $dir is read-only, and the write needs it${2:-}"
}

# write_section NAME: replaces section [NAME] of $target (after check_writable) with the lines in $K3S_BODY, in
# place, or adds it at the end. The new file is written beside the old one and renamed over it: either all of the
# new file is there or the old one is, byte for byte. Secrets reach awk through its environment, which other users
# cannot read (unlike a command line). Mode 600: the files hold keys.
write_section() {
	# A new file of our own, mode 600 from the start (umask; noclobber makes the create exclusive).
	tmp="$dir/.k3s-admin-mfa.$$"
	old_umask=$(umask)
	umask 077
	set -C
	{ : >"$tmp"; } 2>/dev/null || { set +C; umask "$old_umask"; fail "cannot write in $dir (or $tmp exists: remove it)"; }
	set +C
	umask "$old_umask"
	from=$target
	[ -e "$target" ] || from=/dev/null
	K3S_NAME=$1 awk '
		function section() { print "[" ENVIRON["K3S_NAME"] "]"; printf "%s", ENVIRON["K3S_BODY"]; done = 1 }
		/^[ \t]*\[/ {
			name = $0; sub(/^[ \t]*\[[ \t]*/, "", name); sub(/[ \t]*\].*$/, "", name)
			skipping = (name == ENVIRON["K3S_NAME"])
			if (skipping) { section(); next }
			if (held != "") { printf "%s", held; held = "" }
		}
		skipping && /^[ \t]*$/ { held = held $0 "\n"; next }
		skipping { held = ""; next }
		{ if (held != "") { printf "%s", held; held = "" } print; last = $0 }
		END {
			if (held != "") printf "%s", held
			if (!done) { if (NR > 0 && last !~ /^[ \t]*$/) print ""; section() }
		}' "$from" >"$tmp" && mv -f -- "$tmp" "$target" || { rm -f -- "$tmp"; fail "could not write $file"; }
}
