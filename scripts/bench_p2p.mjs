#!/usr/bin/env node
// Benchmark of the web player's peer-to-peer sharing: three headless Chromium viewers (separate
// processes) watch the same video one after another, each starting `--gap` seconds after the
// previous one and playing to the end, first with sharing on, then, in the same run, with
// sharing off (HTTP only). Reported per viewer: segment bytes from peers and from the server
// (the player's own statistics: a segment counts for where it was finished) and the bytes the
// origin sent for the HLS files (Chromium's network events for /static/streaming-playlists/:
// playlists, JSON, init and media segments, aborted requests included).
//
// Needs the debug binaries and Chromium like tests/browser, and WebRTC needs the namespace:
//   (cd tests/browser && npm ci)
//   unshare -rn tests/browser/netns.sh node scripts/bench_p2p.mjs [--seconds 90] [--gap 20]

import { parseArgs } from 'node:util'
import { ensureWebBuild, makeClip, startInstance, uploadAndWait } from '../tests/browser/instance.mjs'
import { openViewer, play, stats } from '../tests/browser/viewers.mjs'

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '90' },
    gap: { type: 'string', default: '20' },
    width: { type: 'string', default: '256' },
    height: { type: 'string', default: '144' }
  }
})
const seconds = Number(values.seconds)
const gap = Number(values.gap)
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Counts the bytes a page receives from the origin's HLS files (Chromium's network events, so
 * requests p2p-media-loader aborts half-way count with what they received).
 */
async function countOriginBytes (page, base) {
  const counter = { bytes: 0 }
  const prefix = `${base}/static/streaming-playlists/`
  const urls = new Map()
  const network = await page.context().newCDPSession(page)
  network.on('Network.requestWillBeSent', (event) => urls.set(event.requestId, event.request.url))
  network.on('Network.dataReceived', (event) => {
    if (urls.get(event.requestId)?.startsWith(prefix)) counter.bytes += event.dataLength
  })
  await network.send('Network.enable')
  return counter
}

/** Three viewers, `gap` s apart, each until its video ends; answers their statistics. */
async function session (watch, base, preference) {
  const viewers = []
  try {
    for (let index = 0; index < 3; index++) {
      if (index > 0) await sleep(gap * 1000)
      const viewer = await openViewer(watch, { preference, beforeLoad: (page) => countOriginBytes(page, base) })
      viewers.push(viewer)
      await play(viewer)
    }
    const deadline = Date.now() + (seconds + 60) * 1000
    for (const viewer of viewers) {
      while (!(await stats(viewer)).ended && Date.now() < deadline) await sleep(1000)
    }
    await sleep(1000)
    const results = []
    for (const viewer of viewers) results.push({ ...(await stats(viewer)), originBytes: viewer.extra.bytes, errors: viewer.errors.length })
    return results
  } finally {
    for (const viewer of viewers) await viewer.close().catch(() => {})
  }
}

const webRoot = ensureWebBuild()
const clip = makeClip({ seconds, width: Number(values.width), height: Number(values.height) })
const instance = await startInstance({ webRoot })
try {
  const video = await uploadAndWait(instance, clip, { name: 'P2P benchmark' })
  const watch = `${instance.base}/w/${video.shortUUID}`
  const files = video.streamingPlaylists[0].files.map((f) => `${f.resolution.id}p ${f.size} B`).join(', ')
  console.log(`clip: ${seconds} s ${values.width}x${values.height}; renditions: ${files}; viewers ${gap} s apart`)
  const shared = await session(watch, instance.base, '1')
  const alone = await session(watch, instance.base, '0')
  const mb = (bytes) => (bytes / 1e6).toFixed(2)
  console.log('\n| run | viewer | segments from peers | segment bytes from peers (MB) | from the server (MB) | share from peers | origin HLS bytes (MB) | refused |')
  console.log('|---|---|---|---|---|---|---|---|')
  for (const [name, results] of [['P2P on', shared], ['HTTP only', alone]]) {
    results.forEach((r, index) => {
      const total = r.p2pBytes + r.httpBytes
      const share = total ? `${((100 * r.p2pBytes) / total).toFixed(1)} %` : '-'
      console.log(`| ${name} | ${index + 1} | ${r.p2pSegments}/${r.p2pSegments + r.httpSegments} | ${mb(r.p2pBytes)} | ${mb(r.httpBytes)} | ${share} | ${mb(r.originBytes)} | ${r.rejected} |`)
    })
  }
  const origin = (results) => results.reduce((sum, r) => sum + r.originBytes, 0)
  console.log(`\norigin HLS bytes for the three viewers: P2P on ${mb(origin(shared))} MB, HTTP only ${mb(origin(alone))} MB ` +
    `(${((100 * origin(shared)) / origin(alone)).toFixed(1)} %)`)
  console.log(JSON.stringify({ seconds, gap, shared, alone }))
} finally {
  instance.stop()
}
