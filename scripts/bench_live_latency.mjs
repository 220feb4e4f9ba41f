#!/usr/bin/env node
// Glass-to-glass delay of a live (issue 20): the ffmpeg CLI broadcasts a picture that carries its
// own clock (16 black-or-white blocks across its top: the stream time in tenths of a second, in
// binary), and headless Chromium reads the picture the player shows (the <video> drawn into a
// canvas) once a second: delay = now − (broadcast start + the time in the picture). Both clocks
// are this machine's; the broadcast start is when its ffmpeg was started (its start-up, ~0.1 s,
// counts as delay on both sides alike).
//
// Kinora: `kinora serve` with its RTMP ingest, a live of each latency mode, its watch page.
// Reference, in the same run: PeerTube's own pipeline for the same mode — the ffmpeg CLI
// listening for RTMP and muxing HLS as PeerTube's live does without transcoding (`-c copy`, 4 s
// segments, or 2 s for small latency, 15 listed), served as files, played by the same hls.js
// with PeerTube's player settings (`liveSyncDurationCount` 5, or 2 for small latency).
// Reported per mode: the median and 90th percentile of each side's delay, and Kinora / reference.
//
// Needs the debug binaries and Chromium like tests/browser:
//   (cd tests/browser && npm ci)
//   node scripts/bench_live_latency.mjs [--seconds 40] [--warm-up 35]

import { spawn } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { apiCall, ensureWebBuild, freePort, launchBrowser, startInstance } from '../tests/browser/instance.mjs'

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '40' },
    'warm-up': { type: 'string', default: '35' }
  }
})
const seconds = Number(values.seconds)
const warmUp = Number(values['warm-up'])
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** PeerTube's latency modes: segment length and how many segments behind the edge hls.js plays. */
const MODES = [
  { name: 'default', latencyMode: 1, segmentSecs: 4, syncSegments: 5 },
  { name: 'small', latencyMode: 3, segmentSecs: 2, syncSegments: 2 }
]

/** The broadcaster: 256×144, 25 fps, the stream time in tenths of a second as 16 blocks. */
function broadcast (url) {
  const clock = "geq=lum='if(lt(Y,32),255*mod(floor(floor(T*10+0.5)/pow(2,floor(X/16))),2),128)':cb=128:cr=128"
  const child = spawn('ffmpeg', ['-v', 'error', '-re', '-f', 'lavfi', '-i', `color=c=gray:s=256x144:r=25:d=600,${clock}`,
    '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '25', '-crf', '18', '-pix_fmt', 'yuv420p',
    '-f', 'flv', url], { stdio: ['ignore', 'ignore', 'inherit'] })
  return { child, startedAt: Date.now() }
}

/** Reads the stream time (seconds) from the picture the page's <video> shows, or null. */
async function pictureTime (page) {
  return await page.evaluate(() => {
    const video = document.querySelector('video')
    if (!video || video.readyState < 2 || video.paused) return null
    const canvas = document.createElement('canvas')
    canvas.width = 256
    canvas.height = 144
    const context = canvas.getContext('2d', { willReadFrequently: true })
    context.drawImage(video, 0, 0, 256, 144)
    const row = context.getImageData(0, 16, 256, 1).data
    let value = 0
    for (let bit = 0; bit < 16; bit++) {
      const at = (bit * 16 + 8) * 4
      if (row[at] > 128) value += 2 ** bit
    }
    return value / 10
  })
}

/** Samples the delay once a second for `seconds`; answers the sorted delays. */
async function sampleDelay (page, startedAt) {
  const delays = []
  for (let i = 0; i < seconds; i++) {
    const now = Date.now()
    const time = await pictureTime(page)
    if (time !== null) delays.push((now - startedAt) / 1000 - time)
    await sleep(1000)
  }
  return delays.sort((a, b) => a - b)
}

/** After the warm-up, opens `url`, plays its <video> muted and samples the delay. */
async function watch (browser, url, startedAt) {
  await sleep(warmUp * 1000)
  const page = await browser.newPage()
  await page.goto(url)
  await page.locator('video').waitFor({ state: 'attached', timeout: 60000 })
  await page.evaluate(() => { const video = document.querySelector('video'); video.muted = true; void video.play() })
  await sleep(8000)
  const delays = await sampleDelay(page, startedAt)
  await page.close()
  return delays
}

const percentile = (sorted, p) => sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : NaN

async function kinora (browser, mode, webRoot) {
  const rtmpPort = await freePort()
  const instance = await startInstance({ webRoot, extra: `[live]\nenabled = true\nrtmp_listen = "127.0.0.1:${rtmpPort}"\n` })
  let sender = null
  try {
    const created = await apiCall(instance, instance.token, '/videos/live', {
      method: 'POST', json: { name: `Delay ${mode.name}`, channelId: instance.channel, privacy: 1, latencyMode: mode.latencyMode }
    })
    const live = await apiCall(instance, instance.token, `/videos/live/${created.video.uuid}`)
    sender = broadcast(`rtmp://127.0.0.1:${rtmpPort}/live/${live.streamKey}`)
    return await watch(browser, `${instance.base}/w/${created.video.shortUUID}`, sender.startedAt)
  } finally {
    sender?.child.kill('SIGKILL')
    instance.stop()
  }
}

async function reference (browser, mode) {
  const dir = mkdtempSync(join(tmpdir(), 'kinora-latency-'))
  mkdirSync(join(dir, 'live'))
  copyFileSync(new URL('../tests/browser/node_modules/hls.js/dist/hls.min.js', import.meta.url), join(dir, 'hls.min.js'))
  writeFileSync(join(dir, 'index.html'), `<!doctype html><video muted playsinline></video><script src="hls.min.js"></script>
<script>const hls = new Hls({ liveSyncDurationCount: ${mode.syncSegments} }); hls.loadSource('live/0.m3u8'); hls.attachMedia(document.querySelector('video'))</script>`)
  const [httpPort, rtmpPort] = [await freePort(), await freePort()]
  const files = spawn('python3', ['-m', 'http.server', String(httpPort), '--bind', '127.0.0.1', '--directory', dir], { stdio: 'ignore' })
  const muxer = spawn('ffmpeg', ['-v', 'error', '-listen', '1', '-i', `rtmp://127.0.0.1:${rtmpPort}/live/reference`,
    '-c', 'copy', '-f', 'hls', '-hls_time', String(mode.segmentSecs), '-hls_list_size', '15',
    '-hls_flags', 'delete_segments+independent_segments', '-hls_segment_filename', join(dir, 'live', '0-%06d.ts'),
    join(dir, 'live', '0.m3u8')], { stdio: ['ignore', 'ignore', 'inherit'] })
  let sender = null
  try {
    await sleep(1000)
    sender = broadcast(`rtmp://127.0.0.1:${rtmpPort}/live/reference`)
    return await watch(browser, `http://127.0.0.1:${httpPort}/index.html`, sender.startedAt)
  } finally {
    sender?.child.kill('SIGKILL')
    muxer.kill('SIGKILL')
    files.kill('SIGKILL')
  }
}

const webRoot = ensureWebBuild()
const browser = await launchBrowser()
const results = []
try {
  for (const mode of MODES) {
    const ours = await kinora(browser, mode, webRoot)
    const theirs = await reference(browser, mode)
    if (ours.length < seconds / 2 || theirs.length < seconds / 2) {
      throw new Error(`too few readings (${mode.name}): Kinora ${ours.length}, reference ${theirs.length}`)
    }
    results.push({
      mode: mode.name,
      kinora: { median_s: +percentile(ours, 0.5).toFixed(2), p90_s: +percentile(ours, 0.9).toFixed(2), readings: ours.length },
      reference: { median_s: +percentile(theirs, 0.5).toFixed(2), p90_s: +percentile(theirs, 0.9).toFixed(2), readings: theirs.length },
      kinora_over_reference: +(percentile(ours, 0.5) / percentile(theirs, 0.5)).toFixed(2)
    })
  }
} finally {
  await browser.close()
}
console.log(JSON.stringify({ seconds, warmUp, results }, null, 2))
