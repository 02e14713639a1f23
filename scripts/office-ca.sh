#!/bin/sh
# The cooperative's own certificate authority for the office link, and the
# certificates it signs: the broker's, the office's, and one per station.
# Each station's certificate names its code (CN=PT01): the broker takes it
# as the station's user name, and the ACL (scripts/mosquitto.acl) lets it
# publish under fieldstation/PT01/ only.
#   scripts/office-ca.sh ca DIR                 DIR/ca.crt, DIR/ca.key (keep it offline)
#   scripts/office-ca.sh broker DIR HOST...     DIR/broker.crt, .key for these names/addresses
#   scripts/office-ca.sh client DIR NAME        DIR/NAME.crt, .key (NAME: PT01, office...)
# Give a station its NAME.crt, NAME.key and ca.crt (cert_file, key_file,
# ca_file in its [uplink]); never the CA's key.
set -eu
days=3650
what=${1:?usage: office-ca.sh ca|broker|client DIR ...}
dir=${2:?usage: office-ca.sh ca|broker|client DIR ...}
shift 2
mkdir -p "$dir"
umask 077

sign() { # sign NAME EXTFILE: NAME.csr -> NAME.crt with the CA
	openssl x509 -req -in "$dir/$1.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" \
		-CAcreateserial -days "$days" -sha256 -extfile "$2" -out "$dir/$1.crt" 2>/dev/null
	rm -f "$dir/$1.csr" "$2"
	chmod 644 "$dir/$1.crt"
}

case "$what" in
ca)
	[ -e "$dir/ca.key" ] && { echo "$dir/ca.key is there already: not made again" >&2; exit 1; }
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -sha256 \
		-days "$days" -subj "/O=Cooperative/CN=Cooperative office link CA" \
		-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
		-keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
	chmod 644 "$dir/ca.crt"
	;;
broker)
	[ $# -ge 1 ] || { echo "usage: office-ca.sh broker DIR HOST..." >&2; exit 2; }
	san=""
	for h in "$@"; do
		case "$h" in
		*[!0-9.:]*) san="$san,DNS:$h" ;;
		*) san="$san,IP:$h" ;;
		esac
	done
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -sha256 \
		-subj "/O=Cooperative/CN=$1" -keyout "$dir/broker.key" -out "$dir/broker.csr" 2>/dev/null
	ext=$(mktemp)
	printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\n' "${san#,}" >"$ext"
	sign broker "$ext"
	;;
client)
	name=${1:?usage: office-ca.sh client DIR NAME}
	case "$name" in
	*[!A-Za-z0-9_-]*) echo "a client's name is letters, digits, - and _: $name" >&2; exit 2 ;;
	esac
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -sha256 \
		-subj "/O=Cooperative/CN=$name" -keyout "$dir/$name.key" -out "$dir/$name.csr" 2>/dev/null
	ext=$(mktemp)
	printf 'extendedKeyUsage=clientAuth\n' >"$ext"
	sign "$name" "$ext"
	;;
*)
	echo "usage: office-ca.sh ca|broker|client DIR ..." >&2
	exit 2
	;;
esac
