// A user's archive (issue 17) from the web front end, and its documents type-checked against
// PeerTube's published types: in headless Chromium a user who made a video, a caption, a
// playlist, a comment, a like and a subscription opens "Archive of my data", asks for an
// archive with the videos' files and downloads it once written. Each `peertube/*.json` of the
// downloaded ZIP is then written into a .ts file as its `@peertube/peertube-types` type
// (`VideoExportJSON`, `ChannelExportJSON`, …) and `tsc --strict --noEmit` must accept it, as
// must the export list (`ResultList<UserExport>`); each `archiveFiles` path names an entry.
// Then the same page imports the downloaded archive back (resumable upload of the ZIP) and
// shows what it brought in.
//
// Needs the debug binaries (`cargo build --workspace --bins`), Chromium and python3 (which
// reads the ZIP); the front end is built first when web/dist is older than its sources.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { apiCall, assertTyped, createUser, ensureWebBuild, launchBrowser, startInstance, uploadAs } from './instance.mjs'

/** The archive's entries: `{ name: Buffer }`, read by python3's zipfile. */
function unzip (bytes) {
  const dir = mkdtempSync(join(tmpdir(), 'kinora-archive-'))
  try {
    const archive = join(dir, 'archive.zip')
    writeFileSync(archive, bytes)
    const listing = spawnSync('python3', ['-c', [
      'import json, sys, zipfile, base64',
      'z = zipfile.ZipFile(sys.argv[1])',
      'assert z.testzip() is None',
      'print(json.dumps({n: base64.b64encode(z.read(n)).decode() for n in z.namelist()}))'
    ].join('\n'), archive], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })
    assert.equal(listing.status, 0, listing.stderr)
    return Object.fromEntries(Object.entries(JSON.parse(listing.stdout)).map(([name, data]) => [name, Buffer.from(data, 'base64')]))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

test('an archive is asked for and downloaded in the front end, in PeerTube types', { timeout: 600000 }, async () => {
  const webRoot = ensureWebBuild()
  const instance = await startInstance({ webRoot })
  const browser = await launchBrowser()
  try {
    const maker = await createUser(instance, 'archivist')
    const video = await uploadAs(instance, maker, 'video_short.mp4', { name: 'Archived video', tags: 'archive' })
    const caption = new FormData()
    caption.append('captionfile', new Blob(['WEBVTT\n\n00:00.000 --> 00:01.000\nHello\n']), 'en.vtt')
    const captioned = await fetch(`${instance.base}/api/v1/videos/${video.uuid}/captions/en`, { method: 'PUT', body: caption, headers: { Authorization: `Bearer ${maker.token}` } })
    assert.equal(captioned.status, 204)
    await apiCall(instance, maker.token, `/videos/${video.uuid}/rate`, { method: 'PUT', json: { rating: 'like' } })
    await apiCall(instance, maker.token, `/videos/${video.uuid}/comment-threads`, { method: 'POST', json: { text: 'Archived comment' } })
    await apiCall(instance, maker.token, '/users/me/subscriptions', { method: 'POST', json: { uri: instance.channelName } })
    const list = await apiCall(instance, maker.token, '/video-playlists', { method: 'POST', json: { displayName: 'Archived list', privacy: 1, videoChannelId: maker.channel } })
    await apiCall(instance, maker.token, `/video-playlists/${list.videoPlaylist.id}/videos`, { method: 'POST', json: { videoId: video.uuid } })

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true })
    const page = await context.newPage()
    page.setDefaultTimeout(30000)
    const errors = []
    page.on('pageerror', (error) => errors.push(String(error)))
    await page.goto(`${instance.base}/login`)
    await page.getByTestId('login-username').fill(maker.username)
    await page.getByTestId('login-password').fill(maker.password)
    await page.getByTestId('login-submit').click()
    await page.getByTestId('user-menu').click()
    await page.getByTestId('menu-exports').click()
    await page.waitForURL('**/my-account/exports')
    await page.getByTestId('export-files').check()
    await page.getByTestId('export-request').click()
    // The page looks again by itself until the archive is written.
    await page.locator('[data-testid="export"][data-state="3"]').waitFor({ timeout: 120000 })
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-download').click()])
    const bytes = readFileSync(await download.path())
    assert.deepEqual(errors, [])
    // A second archive while this one exists: the server's reason is shown.
    await page.getByTestId('export-request').click()
    await page.getByTestId('export-status').getByText('already').waitFor()

    const entries = unzip(bytes)
    const json = (name) => JSON.parse(entries[`peertube/${name}`].toString('utf8'))
    const videos = json('videos.json')
    assert.equal(videos.videos.length, 1)
    const archived = videos.videos[0]
    assert.equal(archived.name, 'Archived video')
    assert.deepEqual(archived.tags, ['archive'])
    for (const path of [archived.archiveFiles.videoFile, archived.archiveFiles.thumbnail, archived.archiveFiles.captions.en]) {
      assert.ok(entries[path.replace(/^\.\.\//, '')], `${path} is in the archive`)
    }
    assert.ok(entries['activity-pub/outbox.json'] && entries['activity-pub/actor.json'])

    // Dates travel as strings, and PeerTube writes null where its types say a value (as
    // user-types.test.mjs allows); no field may be missing, unknown or of another type.
    assertTyped('user-export.ts', [
      "import type { AccountExportJSON, AutoTagPoliciesJSON, BlocklistExportJSON, ChannelExportJSON, CommentsExportJSON, DislikesExportJSON, FollowersExportJSON, FollowingExportJSON, LikesExportJSON, ResultList, UserExport, UserSettingsExportJSON, UserVideoHistoryExportJSON, VideoExportJSON, VideoPlaylistsExportJSON, WatchedWordsListsJSON } from '@peertube/peertube-types'",
      '',
      'type Json<T> = T extends Date ? string : T extends Array<infer U> ? Array<Json<U>> : T extends object',
      '  ? { [K in keyof T]: Json<T[K]> | null }',
      '  : T'
    ], {
      exports: ['ResultList<UserExport>', await apiCall(instance, maker.token, `/users/${maker.id}/exports`)],
      videos: ['VideoExportJSON', videos],
      channels: ['ChannelExportJSON', json('channels.json')],
      account: ['AccountExportJSON', json('account.json')],
      blocklist: ['BlocklistExportJSON', json('blocklist.json')],
      likes: ['LikesExportJSON', json('likes.json')],
      dislikes: ['DislikesExportJSON', json('dislikes.json')],
      followers: ['FollowersExportJSON', json('follower.json')],
      following: ['FollowingExportJSON', json('following.json')],
      settings: ['UserSettingsExportJSON', json('user-settings.json')],
      comments: ['CommentsExportJSON', json('comments.json')],
      playlists: ['VideoPlaylistsExportJSON', json('video-playlists.json')],
      history: ['UserVideoHistoryExportJSON', json('video-history.json')],
      watchedWords: ['WatchedWordsListsJSON', json('watched-words-lists.json')],
      tagPolicies: ['AutoTagPoliciesJSON', json('automatic-tag-policies.json')]
    })

    // The archive comes back in through the same page: the channel is there already, the
    // video is uploaded again, the playlist made again.
    await page.getByTestId('import-file').setInputFiles(await download.path())
    await page.getByTestId('import-submit').click()
    const latest = page.locator('[data-testid="import-latest"][data-state="3"]')
    await latest.waitFor({ timeout: 180000 })
    assert.match(await latest.textContent(), /brought in 0 channels, 1 videos, 2 playlists/)
    const mine = await apiCall(instance, maker.token, '/users/me/videos')
    assert.equal(mine.data.filter((v) => v.name === 'Archived video').length, 2)
    assert.deepEqual(errors, [])
    await context.close()
  } finally {
    await browser.close()
    instance.stop()
  }
})
