// WebTorrent (npm, in Node, as PeerTube's old player and desktop WebTorrent use it) downloads a
// rendition of a video published on a real `kinora serve` through the torrent's web seed alone:
// no tracker, no DHT, no local discovery, so the file's URL in `url-list` is the only source.
// The file matches the one on the server's disk, the info hash is the magnet's, and the server
// answered Range requests. Run inside a network namespace with only loopback (scripts/test).

import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { after, test } from 'node:test'

import WebTorrent from 'webtorrent'

import { fixtures, loginAsRoot, publishWithTorrents, startKinora } from './kinora.mjs'

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex')

// Leave once the test ran, whatever handles the client keeps.
after(() => setTimeout(() => process.exit(), 1000).unref())

/** Adds `torrent` to `client` and resolves with it once every piece is verified (60 s at most). */
function download (client, torrent, path) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no download within 60 s')), 60000)
    client.on('error', reject)
    client.add(torrent, { path }, (added) => {
      added.on('error', reject)
      added.on('done', () => { clearTimeout(timer); resolve(added) })
    })
  })
}

test('WebTorrent downloads a rendition through its web seed alone', { timeout: 240000 }, async () => {
  const server = await startKinora()
  const out = mkdtempSync(join(tmpdir(), 'kinora-webtorrent-'))
  const client = new WebTorrent({ dht: false, lsd: false, utp: false, natUpnp: false, natPmp: false, tracker: false, webSeeds: true })
  try {
    const login = await loginAsRoot(server)
    const video = await publishWithTorrents(server, login, join(fixtures, 'video_short.mp4'))
    const files = video.streamingPlaylists[0].files
    const file = files.reduce((a, b) => (a.size <= b.size ? a : b))
    const torrent = Buffer.from(await (await fetch(file.torrentUrl)).arrayBuffer())

    const done = await download(client, torrent, out)
    const name = basename(new URL(file.fileUrl).pathname)
    const onDisk = readFileSync(join(server.dir, 'storage', 'streaming-playlists', 'hls', video.uuid, name))
    const downloaded = readFileSync(join(out, done.files[0].path))
    assert.equal(downloaded.length, file.size)
    assert.equal(sha256(downloaded), sha256(onDisk))
    assert.equal(`urn:btih:${done.infoHash}`, new URL(file.magnetUri).searchParams.get('xt'))
    assert.deepEqual([...new Set(done.wires.map((wire) => wire.type))], ['webSeed'])

    const metrics = await server.metrics()
    const ranged = metrics.split('\n').filter((line) =>
      line.startsWith('kinora_http_requests_total{') && line.includes('method="GET"') && line.includes('status="2xx"') &&
      line.includes('route="/static/streaming-playlists/'))
    assert.ok(ranged.length > 0, `no successful GET of the file (metrics label the status class):\n${metrics}`)
  } finally {
    await new Promise((resolve) => client.destroy(resolve))
    server.stop()
    rmSync(out, { recursive: true, force: true })
  }
})
