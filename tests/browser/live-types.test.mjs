// Lives' JSON (issue 20) checked against PeerTube's published TypeScript types
// (@peertube/peertube-types), as user-types.test.mjs does for users: on an instance with
// `[live] enabled`, the answers of creating a live (`VideoCreateResult`), reading it as its
// owner (`LiveVideo`, with the stream key) and as anyone (`LiveVideo` without it), its
// sessions (`ResultList<LiveVideoSession>`), the live video's `isLive` and `state` and the
// configuration's `live` section are written into a .ts file, and `tsc --strict --noEmit` must
// accept it.
//
// Needs the debug binaries (`cargo build --workspace --bins`).

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { apiCall, assertTyped, startInstance } from './instance.mjs'

test('lives are typed as PeerTube types them', { timeout: 300000 }, async () => {
  const instance = await startInstance({ extra: '[live]\nenabled = true\n' })
  try {
    const created = await apiCall(instance, instance.token, '/videos/live', {
      method: 'POST',
      json: { name: 'Typed live', channelId: instance.channel, saveReplay: true, replaySettings: { privacy: 2 }, latencyMode: 2 }
    })
    const uuid = created.video.uuid
    const owned = await apiCall(instance, instance.token, `/videos/live/${uuid}`)
    assert.match(owned.streamKey, /^[0-9a-f-]{36}$/)
    assert.equal(owned.rtmpUrl, 'rtmp://localhost:1935/live')
    const open = await (await fetch(`${instance.base}/api/v1/videos/live/${uuid}`)).json()
    assert.equal(open.streamKey, undefined)
    const video = await apiCall(instance, instance.token, `/videos/${uuid}`)
    assert.equal(video.isLive, true)
    assert.deepEqual(video.state, { id: 4, label: 'Waiting for livestream' })
    const config = await (await fetch(`${instance.base}/api/v1/config`)).json()
    assert.equal(config.live.enabled, true)
    assertTyped('live-answers.ts', [
      "import type { ActorImage, LiveVideo, LiveVideoSession, ResultList, ServerConfig, VideoCreateResult, VideoDetails } from '@peertube/peertube-types'",
      '',
      '/**',
      ' * What JSON makes of T: dates travel as strings, and PeerTube sends null where its types never',
      ' * say so; its actors also carry `banners` and `hostRedundancyAllowed`, which its Account type',
      ' * leaves out (ActorModel.toFormattedJSON), as user-types.test.mjs allows. No other field may.',
      ' */',
      'type ActorExtras = { banners?: Array<Json<ActorImage>>, hostRedundancyAllowed?: boolean }',
      'type Json<T> = T extends Date ? string : T extends Array<infer U> ? Array<Json<U>> : T extends object',
      '  ? { [K in keyof T]: Json<T[K]> | null } & ActorExtras',
      '  : T'
    ], {
      created: ['{ video: VideoCreateResult }', created],
      owned: ['LiveVideo', owned],
      open: ['LiveVideo', open],
      sessions: ['ResultList<LiveVideoSession>', await apiCall(instance, instance.token, `/videos/live/${uuid}/sessions`)],
      video: ["Pick<VideoDetails, 'isLive' | 'state' | 'uuid' | 'name'>", { isLive: video.isLive, state: video.state, uuid: video.uuid, name: video.name }],
      config: ["ServerConfig['live']", config.live]
    })
  } finally {
    instance.stop()
  }
})
