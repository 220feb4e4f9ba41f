// A real `kinora serve` for the npm-client tests: a fresh data directory, a free loopback port,
// the seeder on another free loopback port, and (for tests that need videos) the root login
// and uploads through PeerTube's API.

import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const kinora = join(process.env.CARGO_TARGET_DIR || join(repo, 'target'), 'debug', 'kinora')
export const fixtures = join(repo, '..', 'shared', 'fixtures', 'peertube', 'media')

export function freePort () {
  return new Promise((resolve) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

/**
 * Starts `kinora serve` (`extra` is appended to its config); resolves once it runs with
 * `{ base, dir, password, socketUrl, stop }`.
 */
export async function startKinora (extra = '') {
  const dir = mkdtempSync(join(tmpdir(), 'kinora-p2p-'))
  const port = await freePort()
  const config = join(dir, 'kinora.toml')
  const base = `http://127.0.0.1:${port}`
  const metricsToken = randomBytes(24).toString('hex')
  const metricsPort = await freePort()
  writeFileSync(config,
    `[server]\nlisten = "127.0.0.1:${port}"\npublic_url = "${base}"\n` +
    `[database]\nurl = ${JSON.stringify(`sqlite://${dir}/kinora.db`)}\n` +
    `[storage.local]\nroot = ${JSON.stringify(`${dir}/storage`)}\n` +
    '[transcoding]\nworkers = 1\n' +
    `[seeder]\nlisten = "127.0.0.1:0"\nresume_dir = ${JSON.stringify(`${dir}/seeder`)}\n` +
    `[metrics]\nenabled = true\nlisten = "127.0.0.1:${metricsPort}"\ntoken = "${metricsToken}"\n` + extra)
  const child = spawn(kinora, ['serve', '--config', config], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, RUST_LOG: 'warn' } })
  process.on('exit', () => child.kill('SIGKILL'))
  let password = null
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('kinora did not start within 60 s')), 60000)
    child.once('exit', (code) => reject(new Error(`kinora serve exited with ${code}`)))
    createInterface({ input: child.stdout }).on('line', (line) => {
      const match = line.trim().match(/^password: (.+)$/)
      if (match) password = match[1]
      if (line.includes('is running at')) { clearTimeout(timer); resolve() }
    })
  })
  return {
    base,
    dir,
    password,
    /** `GET /metrics` on the instance's metrics listener, with its token. */
    metrics: async () => {
      const response = await fetch(`http://127.0.0.1:${metricsPort}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } })
      if (response.status !== 200) throw new Error(`GET /metrics answered ${response.status}`)
      return response.text()
    },
    socketUrl: `ws://127.0.0.1:${port}/tracker/socket`,
    stop: () => { child.kill('SIGTERM'); setTimeout(() => rmSync(dir, { recursive: true, force: true }), 2000) }
  }
}

/** Logs in as root through PeerTube's OAuth: `{ token, channel }`. */
export async function loginAsRoot (instance) {
  const client = await (await fetch(`${instance.base}/api/v1/oauth-clients/local`)).json()
  const form = new URLSearchParams({ client_id: client.client_id, client_secret: client.client_secret, grant_type: 'password', username: 'root', password: instance.password })
  const token = (await (await fetch(`${instance.base}/api/v1/users/token`, { method: 'POST', body: form })).json()).access_token
  const me = await (await fetch(`${instance.base}/api/v1/users/me`, { headers: { Authorization: `Bearer ${token}` } })).json()
  return { token, channel: me.videoChannels[0].id }
}

/**
 * Uploads `path` publicly and waits (at most 3 minutes) until it is published and every
 * rendition has its torrent; resolves with the video's JSON.
 */
export async function publishWithTorrents (instance, login, path) {
  const form = new FormData()
  form.append('name', `P2P ${basename(path)}`)
  form.append('channelId', String(login.channel))
  form.append('privacy', '1')
  form.append('videofile', new Blob([readFileSync(path)]), basename(path))
  const headers = { Authorization: `Bearer ${login.token}` }
  const response = await fetch(`${instance.base}/api/v1/videos/upload`, { method: 'POST', body: form, headers })
  assert.equal(response.status, 200)
  const { video: { uuid } } = await response.json()
  const deadline = Date.now() + 180000
  for (;;) {
    const video = await (await fetch(`${instance.base}/api/v1/videos/${uuid}`, { headers })).json()
    const files = video.streamingPlaylists?.[0]?.files ?? []
    if (video.state.id === 1 && files.length > 0 && files.every((file) => file.torrentUrl)) return video
    assert.notEqual(video.state.id, 7, `transcoding failed: ${video.failureReason}`)
    assert.ok(Date.now() < deadline, 'not published with torrents within 3 minutes')
    await new Promise((resolve) => setTimeout(resolve, 300))
  }
}
