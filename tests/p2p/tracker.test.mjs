// The npm `bittorrent-tracker` client (what WebTorrent and PeerTube's player use) against
// Kinora's WebSocket tracker: two clients in one swarm find each other through
// /tracker/socket alone and open a WebRTC data channel (@roamhq/wrtc) that carries a message
// both ways. Run it inside a network namespace with only loopback (see scripts/test) so that
// WebRTC candidates stay on 127.0.0.1.

import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, test } from 'node:test'

import wrtc from '@roamhq/wrtc'
import { Client } from 'bittorrent-tracker'

import { startKinora } from './kinora.mjs'

/** A client that resolves `connected` with the first peer whose data channel opens. */
function client (infoHash, url) {
  const tracker = new Client({
    infoHash,
    peerId: randomBytes(20),
    announce: [url],
    port: 6881,
    wrtc,
    // No STUN servers: nothing leaves the host.
    rtcConfig: { iceServers: [] }
  })
  const warnings = []
  tracker.on('warning', (error) => warnings.push(error.message))
  tracker.on('error', (error) => warnings.push(`error: ${error.message}`))
  const connected = new Promise((resolve) => {
    tracker.on('peer', (peer) => {
      if (peer.connected) resolve(peer)
      else peer.once('connect', () => resolve(peer))
      peer.on('error', () => {})
    })
  })
  return { tracker, connected, warnings }
}

// wrtc keeps the event loop alive after its peer connections close: leave once the tests ran.
after(() => setTimeout(() => process.exit(), 1000).unref())

test('two bittorrent-tracker clients open a WebRTC data channel through /tracker/socket', { timeout: 90000 }, async () => {
  const server = await startKinora('[tracker]\nprivate = false\n')
  const infoHash = randomBytes(20).toString('hex')
  const a = client(infoHash, server.socketUrl)
  const b = client(infoHash, server.socketUrl)
  try {
    let updates = 0
    a.tracker.on('update', () => { updates += 1 })
    a.tracker.start()
    await new Promise((resolve) => a.tracker.once('update', resolve))
    b.tracker.start()
    const timeout = new Promise((resolve, reject) => setTimeout(
      () => reject(new Error(`no data channel within 60 s; warnings: ${[...a.warnings, ...b.warnings].join('; ')}`)), 60000))
    const [peerA, peerB] = await Promise.race([Promise.all([a.connected, b.connected]), timeout])
    const fromA = new Promise((resolve) => peerB.once('data', (data) => resolve(Buffer.from(data).toString())))
    const fromB = new Promise((resolve) => peerA.once('data', (data) => resolve(Buffer.from(data).toString())))
    peerA.send('hello from A')
    peerB.send('hello from B')
    assert.equal(await Promise.race([fromA, timeout]), 'hello from A')
    assert.equal(await Promise.race([fromB, timeout]), 'hello from B')
    assert.ok(updates >= 1, 'A got the announce response')
    assert.deepEqual(a.warnings, [])
    assert.deepEqual(b.warnings, [])
  } finally {
    a.tracker.destroy()
    b.tracker.destroy()
    server.stop()
  }
})
