#!/usr/bin/python3
"""Write the seed corpus of fuzz_jws (corpus/jws/) with PyJWT, under the
target's fixed key (Ed25519 seed bytes 0..31): tokens that verify, so the
fuzzer starts from inside the parser, and the JSON the signed paths read.
Run it again only when the formats change; the files are committed."""
import base64, hashlib, json, os
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "jws")
os.makedirs(out, exist_ok=True)
key = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
x = base64.urlsafe_b64encode(raw).decode().rstrip("=")
canon = json.dumps({"crv": "Ed25519", "kty": "OKP", "x": x}, separators=(",", ":"), sort_keys=True)
kid = base64.urlsafe_b64encode(hashlib.sha256(canon.encode()).digest()).decode().rstrip("=")[:16]

claims = {"iss": "https://shiken.example.jp", "cert": "2026-000001-5", "family_name": "NGUYỄN",
          "given_name": "VAN AN", "birthdate": "1999-04-01",
          "test": {"code": "MM1", "category_ja": "機械金属加工", "category_en": "Machining and Metalworking",
                   "level": 1},
          "sitting_date": "2026-12-13", "iat": 1797238800}
revocations = {"iss": "https://shiken.example.jp", "iat": 1797238800,
               "revoked": [{"cert": "2026-000001-5", "at": 1797238800},
                           {"cert": "2026-000002-8", "at": 1797238801}]}


def compact(o):
    return json.dumps(o, ensure_ascii=False, separators=(",", ":"))


def token(payload, typ):
    return jwt.encode(payload, key, algorithm="EdDSA", headers={"kid": kid, "typ": typ})


def write(name, text):
    with open(os.path.join(out, name), "w", encoding="utf-8") as f:
        f.write(text)


cert = token(claims, "shiken-cert+jwt")
write("cert-valid", cert)
write("cert-url", "https://verify.example.jp/c/%s?lang=ja" % cert)
write("revocations-valid", token(revocations, "shiken-revocations+jwt"))
write("claims.json", compact(claims))
write("revocations.json", compact(revocations))
write("jwks.json", compact({"keys": [{"kty": "OKP", "crv": "Ed25519", "x": x, "kid": kid, "use": "sig",
                                      "alg": "EdDSA"}]}))
none = jwt.encode(claims, None, algorithm="none", headers={"kid": kid, "typ": "shiken-cert+jwt"})
write("cert-alg-none", none)
