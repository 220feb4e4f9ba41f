"""fediverse-pasture as a foreign fediverse peer, driven by crates/server/tests/pasture.rs.

Run with the Python of the venv made by scripts/install-clients, with a scratch directory as
the working directory (it holds the peer's keys, `data.toml`, shared by the server and the
client commands, and `inbox.jsonl`, what the peer accepted):

    pasture_peer.py serve PORT              serve /actor, its inbox (signatures required,
                                            verified by bovine) and WebFinger on 127.0.0.1
    pasture_peer.py webfinger ACCT DOMAIN   resolve acct:ACCT over http://DOMAIN
    pasture_peer.py follow PEER ACTOR       a signed Follow of ACTOR from PEER's actor
    pasture_peer.py reply PEER ACTOR URL T  a signed Create(Note) replying to URL, to ACTOR
    pasture_peer.py flag PEER INBOX OBJ...  a signed Flag of the OBJects as Mastodon sends
                                            reports (a list, no content), POSTed to INBOX

Each client command prints one JSON object. Nothing leaves 127.0.0.1: the JSON-LD document
loader is replaced before bovine can fetch a context from the internet.
"""

import asyncio
import json
import sys
import uuid

# bovine opens its JSON-LD cache in the working directory when it is imported; the loader set
# below answers every context from memory, so the cache is never filled from the network.
import bovine.jsonld  # noqa: E402
from pyld import jsonld

SECURITY_V1 = {
    "id": "@id",
    "type": "@type",
    "sec": "https://w3id.org/security#",
    "publicKey": {"@id": "sec:publicKey", "@type": "@id"},
    "publicKeyPem": "sec:publicKeyPem",
    "owner": {"@id": "sec:owner", "@type": "@id"},
}


def offline_loader(url, options=None, **kwargs):
    """Contexts bovine knows from memory, security/v1 from here, every other one empty: never
    a network request."""
    if url in (bovine.jsonld.bovine_context_name, "https://www.w3.org/ns/activitystreams"):
        return bovine.jsonld.wrapper(url, options)
    context = SECURITY_V1 if url == "https://w3id.org/security/v1" else []
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": {"@context": context},
    }


jsonld.set_document_loader(offline_loader)

from fediverse_pasture.data_provider import DataProvider  # noqa: E402
from fediverse_pasture.one_actor import bovine_actor_and_session  # noqa: E402
from fediverse_pasture.runner import ActivitySender  # noqa: E402
from fediverse_pasture.server import BlueprintForActors  # noqa: E402
from bovine.clients import lookup_uri_with_webfinger  # noqa: E402


def serve(port: int) -> None:
    """The peer: its actor requires a valid HTTP signature on every inbox POST (401 otherwise)
    and appends each accepted activity to inbox.jsonl."""
    from quart import Quart

    provider = DataProvider.generate_and_load(False)
    provider.one_actor.requires_signed_post_for_inbox = True

    async def on_inbox(data):
        with open("inbox.jsonl", "a") as inbox:
            inbox.write(json.dumps(data) + "\n")

    app = Quart("pasture_peer")
    blueprint = BlueprintForActors(actors=[provider.one_actor], on_inbox=on_inbox)
    app.register_blueprint(blueprint.blueprint)
    app.run(host="127.0.0.1", port=port)


async def webfinger(acct: str, domain: str) -> dict:
    import aiohttp

    async with aiohttp.ClientSession() as session:
        actor, _ = await lookup_uri_with_webfinger(
            session, f"acct:{acct}", domain=f"http://{domain}"
        )
    return {"actor": actor}


async def follow(peer: str, remote_actor: str) -> dict:
    async with bovine_actor_and_session(peer) as (bovine_actor, _, _session):
        remote = await bovine_actor.get(remote_actor)
        follow_id = f"{peer}/activities/follow-{uuid.uuid4()}"
        activity = {
            "@context": "https://www.w3.org/ns/activitystreams",
            "type": "Follow",
            "id": follow_id,
            "actor": bovine_actor.actor_id,
            "object": remote_actor,
        }
        response = await bovine_actor.post(remote["inbox"], activity)
        return {"id": follow_id, "status": response.status, "inbox": remote["inbox"]}


async def reply(peer: str, remote_actor: str, in_reply_to: str, text: str) -> dict:
    async with bovine_actor_and_session(peer) as (bovine_actor, actor, _session):
        sender = ActivitySender.for_actor(bovine_actor, actor)
        sender.sleep_after_getting_inbox = False
        sender.init_create_note(
            lambda note: {**note, "content": text, "inReplyTo": in_reply_to}
        )
        response = await sender.send(remote_actor)
        return {
            "note": sender.note["id"],
            "status": getattr(response, "status", None),
        }


async def flag(peer: str, inbox: str, objects: list[str]) -> dict:
    async with bovine_actor_and_session(peer) as (bovine_actor, _, _session):
        flag_id = f"{peer}/activities/flag-{uuid.uuid4()}"
        activity = {
            "@context": "https://www.w3.org/ns/activitystreams",
            "type": "Flag",
            "id": flag_id,
            "actor": bovine_actor.actor_id,
            "content": "",
            "object": objects,
        }
        response = await bovine_actor.post(inbox, activity)
        return {"id": flag_id, "status": response.status}


def main(args: list[str]) -> None:
    command = args[0]
    if command == "serve":
        serve(int(args[1]))
        return
    if command == "webfinger":
        result = asyncio.run(webfinger(args[1], args[2]))
    elif command == "follow":
        result = asyncio.run(follow(args[1], args[2]))
    elif command == "reply":
        result = asyncio.run(reply(args[1], args[2], args[3], args[4]))
    elif command == "flag":
        result = asyncio.run(flag(args[1], args[2], args[3:]))
    else:
        raise SystemExit(f"unknown command {command}")
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
