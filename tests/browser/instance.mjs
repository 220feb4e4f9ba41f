// Shared helpers for the browser tests: a `kinora serve` instance on a free port (optionally
// serving the built front end), an admin token, uploads through the API, Chromium, and the
// front end's build.

import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { createServer } from 'node:net'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, dirname, isAbsolute, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createInterface } from 'node:readline'
import { chromium } from 'playwright-core'

export const here = dirname(fileURLToPath(import.meta.url))
export const repo = join(here, '..', '..')
export const web = join(repo, 'web')
const targetDir = process.env.CARGO_TARGET_DIR || join(repo, 'target')
const kinora = join(targetDir, 'debug', 'kinora')
// The shared media fixtures beside the checkout (KINORA_FIXTURES names them elsewhere, e.g. from a
// git worktree).
export const fixtures = process.env.KINORA_FIXTURES || join(repo, '..', 'shared', 'fixtures', 'peertube', 'media')
export const screenshots = join(here, 'screenshots')

export function freePort () {
  return new Promise((resolve) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

// Servers still running when the test process ends (a crash skipped `stop`) are killed.
const running = new Set()
process.on('exit', () => { for (const child of running) child.kill('SIGKILL') })

/** Starts `kinora serve` with the given config; resolves with the root password once it runs.
 * Videos do not start by themselves unless `autoPlay` (so that tests press play). */
function serve (config, autoPlay) {
  const env = { ...process.env, RUST_LOG: 'warn', KINORA__INSTANCE__PLAYER_AUTO_PLAY: String(autoPlay) }
  const child = spawn(kinora, ['serve', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'], env })
  running.add(child)
  child.once('exit', () => running.delete(child))
  let stderr = ''
  child.stderr.on('data', (data) => { stderr = (stderr + data).slice(-4000); process.stderr.write(data) })
  let password = null
  const lines = createInterface({ input: child.stdout })
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error('server did not start within 60 s')) }, 60000)
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`kinora serve exited with ${code}: ${stderr}`)) })
    lines.on('line', (line) => {
      const match = line.trim().match(/^password: (.+)$/)
      if (match) password = match[1]
      if (line.includes('is running at')) { clearTimeout(timer); resolve(password) }
    })
  })
  return { child, ready }
}

function tomlString (text) { return JSON.stringify(text) }

/**
 * Starts an instance: `{ base, port, token, password, channel, channelName, accountName, stop }`.
 * With `webRoot`, the server also serves the built front end from it (`[web] root`); with
 * `autoPlay`, videos start by themselves (`[instance] player_auto_play`, off here); `extra`
 * is appended to its configuration file.
 */
export async function startInstance ({ webRoot, extra = '', autoPlay = false } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'kinora-browser-'))
  const port = await freePort()
  const config = join(dir, 'kinora.toml')
  const base = `http://localhost:${port}`
  writeFileSync(config,
    `[server]\nlisten = "127.0.0.1:${port}"\npublic_url = "${base}"\n` +
    `[database]\nurl = ${tomlString(`sqlite://${dir}/kinora.db`)}\n[storage.local]\nroot = ${tomlString(`${dir}/storage`)}\n` +
    '[transcoding]\nworkers = 1\n' +
    `[seeder]\nlisten = "127.0.0.1:0"\nresume_dir = ${tomlString(`${dir}/seeder`)}\n` + (webRoot ? `[web]\nroot = ${tomlString(webRoot)}\n` : '') + extra)
  let server = serve(config, autoPlay)
  const password = await server.ready
  const client = await (await fetch(`${base}/api/v1/oauth-clients/local`)).json()
  const form = new URLSearchParams({ client_id: client.client_id, client_secret: client.client_secret, grant_type: 'password', username: 'root', password })
  const token = (await (await fetch(`${base}/api/v1/users/token`, { method: 'POST', body: form })).json()).access_token
  const me = await (await fetch(`${base}/api/v1/users/me`, { headers: { Authorization: `Bearer ${token}` } })).json()
  return {
    base,
    port,
    token,
    username: 'root',
    password,
    channel: me.videoChannels[0].id,
    channelName: me.videoChannels[0].name,
    accountName: me.account.name,
    dir,
    config,
    /** Stops the server (SIGTERM) and resolves once it has exited; its data stays. */
    halt: () => new Promise((resolve) => {
      if (server.child.exitCode !== null || server.child.signalCode !== null) return resolve()
      server.child.once('exit', () => resolve())
      server.child.kill('SIGTERM')
    }),
    /** Starts the server again on the same configuration; resolves once it runs. */
    resume: async () => {
      server = serve(config, autoPlay)
      await server.ready
    },
    stop: () => {
      server.child.kill('SIGTERM')
      setTimeout(() => rmSync(dir, { recursive: true, force: true }), 3000)
    }
  }
}

/** Runs the `kinora` binary with `args` to its end; fails with what it printed unless it
 * exits 0. Answers its standard output. */
export function runKinora (args) {
  const result = spawnSync(kinora, args, { encoding: 'utf8', timeout: 300000 })
  assert.equal(result.status, 0, `kinora ${args.join(' ')}: ${result.stdout}${result.stderr}`)
  return result.stdout
}

/**
 * Uploads a fixture (a file name in the fixtures, or an absolute path) through the API
 * (multipart) and waits until it is published.
 */
export async function uploadAndWait (instance, fixture, fields = {}) {
  const path = isAbsolute(fixture) ? fixture : join(fixtures, fixture)
  const form = new FormData()
  form.append('name', fields.name ?? `Browser ${basename(path)}`)
  form.append('channelId', String(instance.channel))
  for (const [key, value] of Object.entries(fields)) if (key !== 'name') form.append(key, value)
  form.append('videofile', new Blob([readFileSync(path)]), basename(path))
  const created = await (await fetch(`${instance.base}/api/v1/videos/upload`, { method: 'POST', body: form, headers: { Authorization: `Bearer ${instance.token}` } })).json()
  return await waitForPublished(instance, created.video.uuid)
}

/** Polls a video until its state is published (1); fails on a failed transcode or after 5 min. */
export async function waitForPublished (instance, uuid) {
  const deadline = Date.now() + 300000
  for (;;) {
    const video = await (await fetch(`${instance.base}/api/v1/videos/${uuid}`, { headers: { Authorization: `Bearer ${instance.token}` } })).json()
    if (video.state.id === 1) return video
    assert.notEqual(video.state.id, 7, `transcoding failed: ${video.failureReason}`)
    assert.ok(Date.now() < deadline, 'transcoding took too long')
    await new Promise((resolve) => setTimeout(resolve, 300))
  }
}

/** A headless Chromium process (each call its own process and throw-away profile). */
export async function launchBrowser (extraArgs = []) {
  return await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required', ...extraArgs]
  })
}

/**
 * A test clip made with the ffmpeg CLI (moving test pattern and a tone, yuv420p H.264 + AAC) in
 * a temporary directory; answers its path.
 */
/**
 * The ffmpeg CLI broadcasting `seconds` of test picture (`size`) and a tone in real time to a
 * live: `live` is its `GET /videos/live/{id}` answer (rtmpUrl and streamKey). Answers the child.
 */
export function broadcastTo (live, { seconds = 120, size = '640x360' } = {}) {
  return spawn('ffmpeg', [
    '-v', 'error', '-re',
    '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=25:duration=${seconds}`,
    '-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`,
    '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '25', '-pix_fmt', 'yuv420p',
    '-c:a', 'aac', '-b:a', '64k',
    '-f', 'flv', `${live.rtmpUrl.replace('localhost', '127.0.0.1')}/${live.streamKey}`
  ], { stdio: ['ignore', 'ignore', 'inherit'] })
}

export function makeClip ({ seconds, width, height, name = 'clip.mp4' }) {
  const dir = mkdtempSync(join(tmpdir(), 'kinora-clip-'))
  const path = join(dir, name)
  const result = spawnSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', `testsrc=size=${width}x${height}:rate=25`,
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', String(seconds), '-pix_fmt', 'yuv420p',
    '-c:v', 'libx264', '-preset', 'veryfast', '-c:a', 'aac', '-shortest', path], { stdio: 'inherit', timeout: 300000 })
  assert.equal(result.status, 0, 'ffmpeg made the clip')
  return path
}

function newestChange (path) {
  const stats = statSync(path)
  if (!stats.isDirectory()) return stats.mtimeMs
  return Math.max(stats.mtimeMs, ...readdirSync(path).map((name) => newestChange(join(path, name))))
}

/** Builds web/ (npm ci && npm run build) when dist is missing or older than its sources. */
export function ensureWebBuild () {
  const built = join(web, 'dist', 'index.html')
  const sources = ['src', 'index.html', 'embed.html', 'package.json', 'package-lock.json', 'vite.config.ts', 'tsconfig.json']
  const newest = Math.max(...sources.map((name) => newestChange(join(web, name))))
  if (existsSync(built) && statSync(built).mtimeMs >= newest) return join(web, 'dist')
  const run = (args) => {
    const result = spawnSync('npm', args, { cwd: web, stdio: 'inherit', timeout: 300000 })
    assert.equal(result.status, 0, `npm ${args.join(' ')} failed in web/`)
  }
  const installed = join(web, 'node_modules', '.package-lock.json')
  if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(join(web, 'package-lock.json')).mtimeMs) {
    run(['ci', '--no-audit', '--no-fund'])
  }
  run(['run', 'build'])
  return join(web, 'dist')
}

/** Calls the API with a bearer token; JSON in and out. Fails the test on a non-2xx answer. */
export async function apiCall (instance, token, path, { method = 'GET', json } = {}) {
  const headers = { Accept: 'application/json' }
  if (token) headers.Authorization = `Bearer ${token}`
  if (json !== undefined) headers['Content-Type'] = 'application/json'
  const response = await fetch(`${instance.base}/api/v1${path}`, { method, headers, body: json === undefined ? undefined : JSON.stringify(json) })
  const text = await response.text()
  assert.ok(response.ok, `${method} ${path} answered ${response.status}: ${text}`)
  return text ? JSON.parse(text) : undefined
}

/**
 * Creates a user (role 0 administrator, 1 moderator, 2 user) through the root account and
 * logs it in: `{ username, password, token, id, accountName, channel }`.
 */
export async function createUser (instance, username, role = 2) {
  const password = `${username} has a long password`
  const created = await apiCall(instance, instance.token, '/users', { method: 'POST', json: { username, email: `${username}@example.org`, password, role } })
  const client = await (await fetch(`${instance.base}/api/v1/oauth-clients/local`)).json()
  const form = new URLSearchParams({ client_id: client.client_id, client_secret: client.client_secret, grant_type: 'password', username, password })
  const answer = await fetch(`${instance.base}/api/v1/users/token`, { method: 'POST', body: form })
  assert.ok(answer.ok, `${username} logs in: ${answer.status}`)
  const token = (await answer.json()).access_token
  const me = await apiCall(instance, token, '/users/me')
  return { username, password, token, id: created?.user?.id ?? me.id, accountName: me.account.name, channel: me.videoChannels[0]?.id }
}

/** Uploads a fixture as `user` (from createUser) into its first channel and waits for publication. */
export async function uploadAs (instance, user, fixture, fields = {}) {
  return await uploadAndWait({ ...instance, token: user.token, channel: user.channel }, fixture, fields)
}

/**
 * Writes `answers` (`{ name: [TypeScript type, JSON value] }`) as typed constants after `header`
 * (imports and helper types, lines) into types-check/`file`, and fails unless
 * `tsc --strict --noEmit` accepts it: object literals are checked for missing, mistyped and
 * unknown fields.
 */
export function assertTyped (file, header, answers) {
  const lines = [...header, '']
  for (const [name, [type, answer]] of Object.entries(answers)) {
    lines.push(`export const ${name}: Json<${type}> = ${JSON.stringify(answer, null, 2)}`, '')
  }
  const dir = join(here, 'types-check')
  mkdirSync(dir, { recursive: true })
  const path = join(dir, file)
  writeFileSync(path, lines.join('\n'))
  const tsc = spawnSync(join(here, 'node_modules', '.bin', 'tsc'), [
    '--strict', '--noEmit', '--skipLibCheck', '--target', 'es2022', '--module', 'esnext', '--moduleResolution', 'bundler', path
  ], { encoding: 'utf8', timeout: 120000 })
  assert.equal(tsc.status, 0, `tsc found type errors in ${path}:\n${tsc.stdout}${tsc.stderr}`)
}
