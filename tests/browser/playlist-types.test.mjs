// The playlist JSON checked against PeerTube's own published types (@peertube/peertube-types,
// pinned in package.json), as peertube-types.test.mjs checks the moderation JSON: an instance
// gets a public playlist with a thumbnail and a private one, two videos in them (one with start
// and stop timestamps), and the real answers of the playlist routes are written into a .ts file
// as `const answer: Json<ResultList<VideoPlaylist>> = <answer>` and so on; `tsc --strict
// --noEmit` must accept it (missing, mistyped and unknown fields alike).
//
// Needs the debug binaries (`cargo build --workspace --bins`).

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { apiCall, createUser, here, makeClip, startInstance, uploadAndWait } from './instance.mjs'

test('playlist answers are typed as PeerTube types them', { timeout: 600000 }, async () => {
  const instance = await startInstance()
  try {
    const user = await createUser(instance, 'lister')
    const video = await uploadAndWait({ ...instance, token: user.token, channel: user.channel }, 'video_very_short_240p.mp4', { name: 'Listed video' })
    const clip = await uploadAndWait({ ...instance, token: user.token, channel: user.channel }, makeClip({ seconds: 4, width: 320, height: 240 }), { name: 'Clip' })
    // A public playlist with a thumbnail (multipart), a private one (JSON).
    const form = new FormData()
    form.append('displayName', 'Typed playlist')
    form.append('description', 'Checked against PeerTube types')
    form.append('privacy', '1')
    form.append('videoChannelId', String(user.channel))
    const png = spawnSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=640x360', '-frames:v', '1', '-f', 'image2pipe', '-c:v', 'png', '-'], { maxBuffer: 1 << 24 })
    assert.equal(png.status, 0)
    form.append('thumbnailfile', new Blob([png.stdout], { type: 'image/png' }), 'thumb.png')
    const response = await fetch(`${instance.base}/api/v1/video-playlists`, { method: 'POST', body: form, headers: { Authorization: `Bearer ${user.token}` } })
    assert.equal(response.status, 200, await response.clone().text())
    const created = (await response.json()).videoPlaylist
    await apiCall(instance, user.token, `/video-playlists/${created.id}/videos`, { method: 'POST', json: { videoId: video.id, startTimestamp: 1, stopTimestamp: 2 } })
    await apiCall(instance, user.token, `/video-playlists/${created.id}/videos`, { method: 'POST', json: { videoId: clip.uuid } })
    await apiCall(instance, user.token, '/video-playlists', { method: 'POST', json: { displayName: 'Private one' } })

    const checks = [
      // [variable, type, route, token]
      ['created', '{ videoPlaylist: VideoPlaylistCreateResult }', null, null],
      ['playlists', 'ResultList<VideoPlaylist>', '/video-playlists', null],
      ['playlist', 'VideoPlaylist', `/video-playlists/${created.shortUUID}`, null],
      ['accountPlaylists', 'ResultList<VideoPlaylist>', `/accounts/${user.accountName}/video-playlists`, user.token],
      ['channelPlaylists', 'ResultList<VideoPlaylist>', `/video-channels/${user.accountName}_channel/video-playlists`, null],
      ['searched', 'ResultList<VideoPlaylist>', '/search/video-playlists?search=typed', null],
      ['elements', 'ResultList<VideoPlaylistElement>', `/video-playlists/${created.uuid}/videos`, null],
      ['exist', 'VideosExistInPlaylists', `/users/me/video-playlists/videos-exist?videoIds=${video.id}&videoIds=${clip.id}`, user.token],
      ['privacies', 'Record<string, string>', '/video-playlists/privacies', null]
    ]
    const lines = [
      "import type { ResultList, VideoPlaylist, VideoPlaylistCreateResult, VideoPlaylistElement, VideosExistInPlaylists } from '@peertube/peertube-types'",
      '',
      '/** What JSON makes of T (see peertube-types.test.mjs): dates are strings, any field may be null. */',
      'type ActorExtras = { banners?: unknown, hostRedundancyAllowed?: unknown }',
      'type Json<T> = T extends Date ? string : T extends Array<infer U> ? Array<Json<U>> : T extends object',
      '  ? { [K in keyof T]: Json<T[K]> | null } & ActorExtras',
      '  : T',
      ''
    ]
    for (const [name, type, route, token] of checks) {
      const answer = route ? await apiCall(instance, token, route) : { videoPlaylist: created }
      if (type.startsWith('ResultList')) assert.ok(answer.data.length > 0, `${route} lists something`)
      lines.push(`export const ${name}: Json<${type}> = ${JSON.stringify(answer, null, 2)}`, '')
    }
    const elements = await apiCall(instance, null, `/video-playlists/${created.uuid}/videos`)
    assert.deepEqual(elements.data.map((e) => [e.position, e.video.name, e.startTimestamp, e.stopTimestamp]),
      [[1, 'Listed video', 1, 2], [2, 'Clip', null, null]])
    const dir = join(here, 'types-check')
    mkdirSync(dir, { recursive: true })
    const file = join(dir, 'playlist-answers.ts')
    writeFileSync(file, lines.join('\n'))
    const tsc = spawnSync(join(here, 'node_modules', '.bin', 'tsc'), [
      '--strict', '--noEmit', '--skipLibCheck', '--target', 'es2022', '--module', 'esnext', '--moduleResolution', 'bundler', file
    ], { encoding: 'utf8', timeout: 120000 })
    assert.equal(tsc.status, 0, `tsc found type errors in ${file}:\n${tsc.stdout}${tsc.stderr}`)
  } finally {
    instance.stop()
  }
})
