"""RsaSignature2017 Linked Data signatures made and checked with an implementation independent
of Kinora's: PyLD (URDNA2015) and cryptography (RSA), the way Mastodon's
`ActivityPub::LinkedDataSignature` does it: options `{creator, created}` under the identity v1
context, the document without `signature`, each canonicalized and hashed (SHA-256 hex), the two
hashes concatenated and signed with RSASSA-PKCS1-v1_5/SHA-256.

Contexts come only from the folder given as CONTEXTS (the JSON files Kinora bundles); any
other URL fails. Run with the Python of the fediverse-pasture venv (it has pyld and
cryptography), from crates/federation/tests/ld_signature.rs:

  pyld_rsa2017.py CONTEXTS nquads DOC.json            -> canonical N-Quads on stdout
  pyld_rsa2017.py CONTEXTS verify DOC.json KEY.pem     -> {"verified": true|false}
  pyld_rsa2017.py CONTEXTS sign DOC.json KEY.pem CREATOR CREATED -> the signed document
  pyld_rsa2017.py CONTEXTS options CREATOR CREATED     -> {"identity": nquads, "peertube": nquads}
"""

import base64
import hashlib
import json
import os
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from pyld import jsonld

CONTEXT_FILES = {
    "https://www.w3.org/ns/activitystreams": "activitystreams.jsonld",
    "https://w3id.org/security/v1": "security-v1.jsonld",
    "https://w3id.org/identity/v1": "identity-v1.jsonld",
}


def offline_loader(contexts_dir):
    def load(url, options=None):
        name = CONTEXT_FILES.get(url.rstrip("#"))
        if name is None:
            raise jsonld.JsonLdError("context not bundled", "loading document failed", {"url": url})
        with open(os.path.join(contexts_dir, name)) as handle:
            document = json.load(handle)
        return {"contentType": "application/ld+json", "contextUrl": None,
                "documentUrl": url, "document": document}
    return load


def nquads(document):
    return jsonld.normalize(document, {"algorithm": "URDNA2015", "format": "application/n-quads"})


def sha256_hex(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def to_be_signed(document, options):
    options = {k: v for k, v in options.items() if k not in ("type", "id", "signatureValue")}
    options["@context"] = "https://w3id.org/identity/v1"
    unsigned = {k: v for k, v in document.items() if k != "signature"}
    return sha256_hex(nquads(options)) + sha256_hex(nquads(unsigned))


def main(argv):
    contexts_dir, command, *rest = argv
    jsonld.set_document_loader(offline_loader(contexts_dir))
    if command == "nquads":
        with open(rest[0]) as handle:
            sys.stdout.write(nquads(json.load(handle)))
    elif command == "verify":
        with open(rest[0]) as handle:
            document = json.load(handle)
        with open(rest[1], "rb") as handle:
            key = serialization.load_pem_public_key(handle.read())
        signature = document["signature"]
        try:
            key.verify(base64.b64decode(signature["signatureValue"]),
                       to_be_signed(document, signature).encode("utf-8"),
                       padding.PKCS1v15(), hashes.SHA256())
            verified = True
        except InvalidSignature:
            verified = False
        print(json.dumps({"verified": verified}))
    elif command == "sign":
        with open(rest[0]) as handle:
            document = json.load(handle)
        with open(rest[1], "rb") as handle:
            key = serialization.load_pem_private_key(handle.read(), password=None)
        options = {"type": "RsaSignature2017", "creator": rest[2], "created": rest[3]}
        value = key.sign(to_be_signed(document, options).encode("utf-8"),
                         padding.PKCS1v15(), hashes.SHA256())
        options["signatureValue"] = base64.b64encode(value).decode("ascii")
        document["signature"] = options
        print(json.dumps(document))
    elif command == "options":
        creator, created = rest
        identity = {"@context": "https://w3id.org/identity/v1", "creator": creator, "created": created}
        peertube = {"@context": ["https://w3id.org/security/v1",
                                 {"RsaSignature2017": "https://w3id.org/security#RsaSignature2017"}],
                    "creator": creator, "created": created}
        print(json.dumps({"identity": nquads(identity), "peertube": nquads(peertube)}))
    else:
        raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    main(sys.argv[1:])
