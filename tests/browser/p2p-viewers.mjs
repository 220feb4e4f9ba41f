// Peer-to-peer playback between real viewers: `kinora serve` (private tracker, the default)
// publishes a clip, and headless Chromium viewers in separate processes watch it with the web
// player (p2p-media-loader). The second viewer gets segments from the first over WebRTC and
// every one of them matches the segments-sha256 JSON; every info hash both announce is the one
// the server derives (kinora_core::swarm, recomputed here) and nothing else is contacted. Then a
// tampered viewer, whose data channel flips a byte of every segment it sends, shares with an
// honest one: the honest viewer refuses those segments and still plays from the server.
//
// Runs only inside the namespace of netns.sh (`npm run test:p2p`, as ./scripts/test does):
//   unshare -rn ./netns.sh node --test p2p-viewers.mjs

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ensureWebBuild, makeClip, startInstance, uploadAndWait } from './instance.mjs'
import { expectedInfoHashes, openViewer, play, stats, waitForStats } from './viewers.mjs'

// Flips one byte in every large message a data channel sends: p2p-media-loader sends segment
// bytes in messages of up to 64 KiB and its commands in small ones, so only segment data changes.
function tamperDataChannels () {
  const send = RTCDataChannel.prototype.send
  RTCDataChannel.prototype.send = function (data) {
    if (data && typeof data === 'object' && data.byteLength > 2048) {
      const bytes = ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data)
      const copy = new Uint8Array(bytes)
      copy[copy.length >> 1] ^= 0xff
      window.__tampered = (window.__tampered ?? 0) + 1
      return send.call(this, copy)
    }
    return send.call(this, data)
  }
}

test('two Chromium viewers share segments over WebRTC, each checked; a tampered peer is refused', { timeout: 900000 }, async (t) => {
  const webRoot = ensureWebBuild()
  // One rendition (144p is the bottom of the ladder), so every viewer is in the same swarm.
  const clip = makeClip({ seconds: 60, width: 256, height: 144 })
  const instance = await startInstance({ webRoot })
  const viewers = []
  try {
    const video = await uploadAndWait(instance, clip, { name: 'P2P clip' })
    assert.equal(video.streamingPlaylists[0].files.length, 1, 'a single rendition')
    const expected = expectedInfoHashes(video)
    const tracker = `ws://localhost:${instance.port}/tracker/socket`
    const watch = `${instance.base}/w/${video.shortUUID}`

    await t.test('the second viewer receives checked segments from the first', async (t) => {
      const first = await openViewer(watch)
      viewers.push(first)
      await play(first)
      // The first viewer loads ahead (hls.js's buffer and p2p-media-loader's prefetch).
      const ahead = await waitForStats(first, (s) => s.httpSegments >= 10, 60000)
      assert.equal(ahead.state, 'on', ahead.text)
      assert.ok(ahead.httpSegments >= 6, `the first viewer loaded ahead: ${JSON.stringify(ahead)}`)

      const second = await openViewer(watch)
      viewers.push(second)
      await play(second)
      const got = await waitForStats(second, (s) => s.p2pSegments >= 3 || s.ended, 120000)
      const gave = await stats(first)
      t.diagnostic(`first viewer: ${JSON.stringify(gave)}`)
      t.diagnostic(`second viewer: ${JSON.stringify(got)}`)
      assert.ok(got.p2pSegments >= 1, `segments from the first viewer: ${JSON.stringify(got)}`)
      assert.ok(got.p2pBytes > 0)
      assert.equal(got.rejected, 0, 'no segment refused')
      assert.ok(got.checked >= got.p2pSegments, `every peer segment was checked: ${JSON.stringify(got)}`)
      assert.ok(gave.uploadedBytes > 0, `the first viewer uploaded: ${JSON.stringify(gave)}`)
      assert.equal(gave.rejected, 0)
      assert.match(got.text, /From peers [1-9]/)
      await second.page.screenshot({ path: new URL('./screenshots/p2p-second-viewer.png', import.meta.url).pathname }).catch(() => {})

      for (const viewer of [first, second]) {
        assert.deepEqual(viewer.errors, [])
        assert.ok(viewer.sockets.length >= 1, 'a tracker socket')
        for (const socket of viewer.sockets) {
          assert.equal(socket.url, tracker, 'only the video\'s own tracker')
          assert.ok(socket.infoHashes.size >= 1)
          for (const hash of socket.infoHashes) assert.ok(expected.has(hash), `announced ${hash}, expected one of ${[...expected]}`)
        }
      }
    })

    await t.test('segments from a tampered peer are refused', async (t) => {
      for (const viewer of viewers.splice(0)) await viewer.close()
      const tampered = await openViewer(watch, { initScript: tamperDataChannels })
      viewers.push(tampered)
      await play(tampered)
      await waitForStats(tampered, (s) => s.httpSegments >= 10, 60000)
      const honest = await openViewer(watch)
      viewers.push(honest)
      await play(honest)
      const seen = await waitForStats(honest, (s) => s.rejected >= 1, 120000)
      const sent = await tampered.page.evaluate(() => window.__tampered ?? 0)
      t.diagnostic(`tampered messages sent: ${sent}; honest viewer: ${JSON.stringify(seen)}`)
      assert.ok(sent >= 1, 'the tampered viewer sent altered segments')
      assert.ok(seen.rejected >= 1, `altered segments refused: ${JSON.stringify(seen)}`)
      assert.equal(seen.p2pSegments, 0, 'no altered segment reached the player')
      // Playback goes on from the server.
      const before = seen.currentTime
      const later = await waitForStats(honest, (s) => s.currentTime >= before + 3 || s.ended, 30000)
      assert.ok(later.currentTime >= before + 3 || later.ended, `still playing: ${JSON.stringify(later)}`)
      assert.deepEqual(honest.errors, [])
    })
  } finally {
    for (const viewer of viewers) await viewer.close().catch(() => {})
    instance.stop()
  }
})
