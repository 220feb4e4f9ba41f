// The signed-in viewer's video languages (their settings' `videoLanguages`): the video lists
// show only videos in those languages (`languageOneOf`; `_unknown` stands for videos whose
// language is not set), as PeerTube's lists do. Nobody signed in, or no choice: every language.

import { currentUser } from './api'

/** PeerTube's `languageOneOf` value for "no language set". */
export const UNKNOWN_LANGUAGE = '_unknown'

/** The list query that keeps the viewer's languages (empty when they chose none). */
export async function languageFilter (): Promise<{ languageOneOf?: string[] }> {
  const languages = (await currentUser().catch(() => null))?.videoLanguages
  return languages && languages.length > 0 ? { languageOneOf: languages } : {}
}
