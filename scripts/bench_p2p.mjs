#!/usr/bin/env node
// Benchmark of the web player's peer-to-peer sharing: three headless Chromium viewers (separate
// processes) watch the same video one after another, each starting `--gap` seconds after the
// previous one and playing to the end, first with sharing on, then, in the same run, with
// sharing off (HTTP only). Reported per viewer: segment bytes from peers and from the server
// (the player's own statistics) and the bytes the origin sent for the HLS files (every
// /static/streaming-playlists/ response: playlists, JSON, init and media segments).
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

/** Sums the body bytes of the origin's HLS responses a viewer received. */
function countOriginBytes (viewer, base) {
  const counter = { bytes: 0 }
  viewer.page.on('requestfinished', async (request) => {
    if (!request.url().startsWith(`${base}/static/streaming-playlists/`)) return
    try { counter.bytes += (await request.sizes()).responseBodySize } catch { /* page gone */ }
  })
  return counter
}

/** Three viewers, `gap` s apart, each until its video ends; answers their statistics. */
async function session (watch, base, preference) {
  const viewers = []
  try {
    for (let index = 0; index < 3; index++) {
      if (index > 0) await sleep(gap * 1000)
      const viewer = await openViewer(watch, { preference })
      viewer.origin = countOriginBytes(viewer, base)
      viewers.push(viewer)
      await play(viewer)
    }
    const deadline = Date.now() + (seconds + 60) * 1000
    for (const viewer of viewers) {
      while (!(await stats(viewer)).ended && Date.now() < deadline) await sleep(1000)
    }
    await sleep(1000)
    const results = []
    for (const viewer of viewers) results.push({ ...(await stats(viewer)), originBytes: viewer.origin.bytes, errors: viewer.errors.length })
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
