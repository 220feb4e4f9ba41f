// Viewers of the web player for the peer-to-peer tests and benchmark: a watch page in its own
// Chromium process, the tracker sockets it opens (with every info hash it announces), and the
// player's transfer statistics (data attributes of [data-testid=p2p-stats]).

import { createHash } from 'node:crypto'
import { launchBrowser } from './instance.mjs'

// Host candidates as IP addresses (mDNS names cannot be resolved in the test namespace).
export const WEBRTC_ARGS = ['--disable-features=WebRtcHideLocalIpsWithMdns']

/**
 * PeerTube's stream swarm id and p2p-media-loader's info hash (20 ASCII characters), computed
 * here independently of the server and the browser: what both must agree on.
 */
export function swarmInfoHash (videoUUID, type, resolution) {
  const id = `pt-v2-${videoUUID}-${type}-default-${resolution > 0 ? resolution : 'default'}`
  return createHash('sha1').update(id, 'utf8').digest().subarray(0, 15).toString('base64')
}

/** Every info hash the player may announce for a video (from its JSON). */
export function expectedInfoHashes (video) {
  const resolutions = video.streamingPlaylists[0].files.map((file) => file.resolution.id)
  const hashes = new Set(resolutions.map((resolution) => swarmInfoHash(video.uuid, 'main', resolution)))
  if (resolutions.includes(0)) hashes.add(swarmInfoHash(video.uuid, 'secondary', 0))
  return hashes
}

/**
 * Opens `url` in a new Chromium process. `initScript` runs in the page before its own scripts;
 * `preference` ('0' or '1') is the viewer's remembered P2P choice; `beforeLoad(page)` is called
 * before the page loads (to watch its requests from the first).
 */
export async function openViewer (url, { initScript, preference, beforeLoad } = {}) {
  const browser = await launchBrowser(WEBRTC_ARGS)
  const context = await browser.newContext({ viewport: { width: 960, height: 600 } })
  if (preference !== undefined) {
    await context.addInitScript((value) => { localStorage.setItem('kinora:p2p', value) }, preference)
  }
  if (initScript) await context.addInitScript(initScript)
  const page = await context.newPage()
  page.setDefaultTimeout(30000)
  const sockets = []
  const errors = []
  page.on('pageerror', (error) => errors.push(String(error)))
  page.on('websocket', (socket) => {
    const entry = { url: socket.url(), infoHashes: new Set() }
    sockets.push(entry)
    socket.on('framesent', ({ payload }) => {
      try {
        const message = JSON.parse(typeof payload === 'string' ? payload : payload.toString('utf8'))
        if (typeof message.info_hash === 'string') entry.infoHashes.add(message.info_hash)
      } catch { /* not JSON */ }
    })
  })
  const extra = beforeLoad ? await beforeLoad(page) : undefined
  await page.goto(url)
  await page.getByTestId('player-video').waitFor()
  return { browser, page, sockets, errors, extra, close: () => browser.close() }
}

/** Starts playback (muted, so autoplay rules never stop it). */
export async function play (viewer) {
  await viewer.page.evaluate(() => { document.querySelector('[data-testid=player-video]').muted = true })
  await viewer.page.getByTestId('player-play').click()
  await viewer.page.waitForFunction(() => document.querySelector('[data-testid=player-video]').currentTime > 0.5, null, { timeout: 60000 })
}

/** The player's statistics: numbers from the data attributes, plus `state` and `currentTime`. */
export async function stats (viewer) {
  return await viewer.page.evaluate(() => {
    const element = document.querySelector('[data-testid=p2p-stats]')
    const video = document.querySelector('[data-testid=player-video]')
    const number = (name) => Number(element?.dataset[name] ?? 0)
    return {
      state: element?.dataset.state,
      text: element?.textContent,
      p2pBytes: number('p2pBytes'),
      httpBytes: number('httpBytes'),
      p2pSegments: number('p2pSegments'),
      httpSegments: number('httpSegments'),
      uploadedBytes: number('uploadedBytes'),
      checked: number('checked'),
      rejected: number('rejected'),
      peers: number('peers'),
      currentTime: video.currentTime,
      ended: video.ended
    }
  })
}

/** Polls `stats` until `done(stats)` or `timeout` ms; answers the last statistics. */
export async function waitForStats (viewer, done, timeout) {
  const deadline = Date.now() + timeout
  for (;;) {
    const current = await stats(viewer)
    if (done(current) || Date.now() > deadline) return current
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
}
