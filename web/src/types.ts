// The PeerTube-shaped JSON the pages read (only the fields used here).

export interface Labelled<T = number> { id: T, label: string }

export interface ActorImage { path?: string, fileUrl?: string, width?: number, height?: number }

export interface AccountSummary {
  id?: number
  name: string
  displayName: string
  host: string
  url?: string
  avatars?: ActorImage[]
}

export interface ChannelSummary extends AccountSummary {}

export interface Channel extends ChannelSummary {
  description?: string | null
  support?: string | null
  followersCount?: number
  createdAt?: string
  ownerAccount?: AccountSummary
  banners?: ActorImage[]
  /** Kinora's: the actor this channel moved to. */
  movedTo?: string
}

export interface Account extends AccountSummary {
  banners?: ActorImage[]
  description?: string | null
  followersCount?: number
  createdAt?: string
  /** Kinora's: the actor this account moved to. */
  movedTo?: string
}

export interface VideoFile {
  id?: number
  resolution: Labelled
  size: number
  fileUrl: string
  fileDownloadUrl?: string
  playlistUrl?: string
  height?: number
}

/** A copy of a streaming playlist's files on another instance (PeerTube's redundancy). */
export interface Redundancy {
  /** The directory holding the same files under the same names. */
  baseUrl: string
}

export interface StreamingPlaylist {
  playlistUrl: string
  segmentsSha256Url?: string | null
  /** Mirrors to fall back on when the origin cannot be reached. */
  redundancies?: Redundancy[]
  files: VideoFile[]
}

export interface Video {
  id: number
  uuid: string
  shortUUID: string
  name: string
  /** A live: its state says whether it waits (4), is on the air (1) or ended (5). */
  isLive?: boolean
  description?: string | null
  truncatedDescription?: string | null
  duration: number
  views: number
  /** Who watches now (viewers whose player told within the last minute). */
  viewers?: number
  likes: number
  dislikes: number
  thumbnailPath?: string | null
  previewPath?: string | null
  thumbnailUrl?: string | null
  previewUrl?: string | null
  embedPath?: string
  publishedAt: string
  createdAt: string
  isLocal?: boolean
  account: AccountSummary
  channel: ChannelSummary
  privacy: Labelled
  state?: Labelled
  transcodingProgress?: number | null
  /** Where the signed-in viewer stopped (their watch history), in seconds. */
  userHistory?: { currentTime: number } | null
}

export interface VideoDetails extends Video {
  tags: string[]
  category?: Labelled<number | null>
  licence?: Labelled<number | null>
  language?: Labelled<string | null>
  nsfw?: boolean
  downloadEnabled?: boolean
  support?: string | null
  originallyPublishedAt?: string | null
  commentsEnabled?: boolean
  commentsPolicy?: Labelled
  streamingPlaylists: StreamingPlaylist[]
  files?: VideoFile[]
  /** The video's trackers: WebSocket (for the player's sharing) and HTTP. */
  trackerUrls?: string[]
  failureReason?: string | null
}

/** PeerTube's `VideoCaption`. */
export interface VideoCaption {
  language: { id: string, label: string }
  automaticallyGenerated: boolean
  captionPath: string | null
  fileUrl: string | null
  m3u8Url: string | null
  updatedAt: string
}

/** One of PeerTube's `VideoChapter`s. */
export interface VideoChapter {
  timecode: number
  title: string
}

export interface Storyboard {
  storyboardPath: string
  fileUrl?: string
  totalHeight: number
  totalWidth: number
  spriteHeight: number
  spriteWidth: number
  spriteDuration: number
}

export interface VideoComment {
  id: number
  url?: string
  text: string
  threadId: number
  inReplyToCommentId: number | null
  videoId: number
  createdAt: string
  updatedAt?: string
  deletedAt?: string | null
  isDeleted: boolean
  totalReplies?: number
  totalRepliesFromVideoAuthor?: number
  account?: AccountSummary | null
  /** Waiting for the video owner's approval (commentsPolicy 3). */
  heldForReview?: boolean
}

export interface CommentTree { comment: VideoComment, children: CommentTree[] }

export interface Page<T> { total: number, data: T[] }

export interface User {
  id: number
  username: string
  account: AccountSummary
  videoChannels: ChannelSummary[]
  role: Labelled
  email?: string
  pendingEmail?: string | null
  blocked?: boolean
  blockedReason?: string | null
  createdAt?: string
  nsfwPolicy?: NsfwPolicy
  p2pEnabled?: boolean
  autoPlayVideo?: boolean
  autoPlayNextVideo?: boolean
  videosHistoryEnabled?: boolean
  videoLanguages?: string[] | null
  theme?: string
}

/** PeerTube's NSFW policies: how a user sees videos marked sensitive. */
export type NsfwPolicy = 'display' | 'blur' | 'warn' | 'do_not_list'

/** PeerTube's video states that matter to the pages. */
export const VideoState = { published: 1, toTranscode: 2, transcodingFailed: 7 } as const

/** PeerTube's privacy ids. */
export const Privacy = { public: 1, unlisted: 2, private: 3 } as const

/** PeerTube's user roles. */
export const Role = { administrator: 0, moderator: 1, user: 2 } as const

/** Administrators and moderators see the moderation area. */
export function isModerator (user: User | null): boolean {
  return user !== null && (user.role?.id === Role.administrator || user.role?.id === Role.moderator)
}

/** Administrators edit the instance's settings. */
export function isAdmin (user: User | null): boolean {
  return user !== null && user.role?.id === Role.administrator
}

/** PeerTube's abuse states. */
export const AbuseState = { pending: 1, rejected: 2, accepted: 3 } as const

/** PeerTube's predefined abuse reasons (ids 1–8, sent by name). */
export const predefinedReasons: Array<{ id: string, label: string, hint: string }> = [
  { id: 'violentOrRepulsive', label: 'Violent or repulsive', hint: 'Contains offensive, violent, or coarse language or iconography.' },
  { id: 'hatefulOrAbusive', label: 'Hateful or abusive', hint: 'Contains abusive, racist or sexist language or iconography.' },
  { id: 'spamOrMisleading', label: 'Spam, ad or false news', hint: 'Contains marketing, spam, purposefully deceitful news, or otherwise misleading content.' },
  { id: 'privacy', label: 'Privacy breach or doxxing', hint: 'Contains personal information that could be used to track, identify, contact or impersonate someone.' },
  { id: 'rights', label: 'Copyright', hint: 'Infringes your right or the rights of others.' },
  { id: 'serverRules', label: 'Breaks the instance rules', hint: 'Anything not included in the above that breaks the terms of service or other rules.' },
  { id: 'thumbnails', label: 'Thumbnails', hint: 'The above can only be seen in thumbnails.' },
  { id: 'captions', label: 'Captions', hint: 'The above can only be seen in captions.' }
]

/** The reported video of an abuse. */
export interface AbuseVideo {
  id: number
  name: string
  uuid: string
  shortUUID?: string
  deleted: boolean
  blacklisted: boolean
  startAt?: number | null
  endAt?: number | null
  thumbnailPath?: string | null
  channel?: ChannelSummary | null
}

/** The reported comment of an abuse. */
export interface AbuseComment {
  id: number
  threadId: number
  text: string
  deleted: boolean
  video: { id: number, name: string, uuid: string }
}

/** A report (PeerTube's AdminAbuse; the reporter's own view lacks the moderation fields). */
export interface Abuse {
  id: number
  reason: string
  predefinedReasons?: string[]
  reporterAccount?: AccountSummary | null
  flaggedAccount?: AccountSummary | null
  state: Labelled
  moderationComment?: string | null
  video?: AbuseVideo | null
  comment?: AbuseComment | null
  createdAt: string
  updatedAt?: string
  countReportsForReporter?: number
  countReportsForReportee?: number
  countMessages: number
}

export interface AbuseMessage {
  id: number
  message: string
  byModerator: boolean
  createdAt: string
  account: AccountSummary
}

/** A blocked video (PeerTube's VideoBlacklist). */
export interface VideoBlock {
  id: number
  unfederated: boolean
  reason?: string | null
  type: number
  video: Video
  createdAt: string
}

/** A muted account (PeerTube's AccountBlock). */
export interface AccountMute {
  byAccount: AccountSummary
  blockedAccount: AccountSummary
  createdAt: string
}

/** A muted instance (PeerTube's ServerBlock). */
export interface ServerMute {
  byAccount: AccountSummary
  blockedServer: { host: string }
  createdAt: string
}

/** A comment on one of the user's videos (PeerTube's VideoCommentForOwnerOrAdmin). */
export interface OwnerComment {
  id: number
  text: string
  threadId: number
  inReplyToCommentId: number | null
  createdAt: string
  heldForReview: boolean
  account: AccountSummary
  video: { id: number, uuid: string, name: string, shortUUID?: string }
}

/** `/api/v1/config/about` (PeerTube's About). */
export interface About {
  instance: {
    name: string
    shortDescription: string
    description: string
    terms: string
    codeOfConduct: string
    hardwareInformation: string
    creationReason: string
    moderationInformation: string
    administrator: string
    maintenanceLifetime: string
    businessModel: string
    languages: string[]
    categories: number[]
  }
}

/** The parts of `/api/v1/config` the pages read. */
export interface ServerConfig {
  instance: { name: string, shortDescription: string }
  software?: { name: string, version: string }
  serverVersion?: string
  signup: { allowed: boolean, requiresApproval: boolean }
  user: { videoQuota: number, videoQuotaDaily: number }
  /** Whether videos start by themselves for visitors (and users who never chose). */
  defaults?: { player?: { autoPlay?: boolean } }
  /** Whether users may create and broadcast lives. */
  live?: { enabled: boolean }
}

/** The parts of `/api/v1/config/custom` (PeerTube's CustomConfig) the settings page edits. */
export interface CustomConfig {
  instance: About['instance']
  signup: { enabled: boolean, requiresApproval: boolean }
  user: { videoQuota: number, videoQuotaDaily: number }
  videoChannels: { maxPerUser: number }
  /** `"240p": true`, …: the resolutions new uploads are transcoded to below their own. */
  transcoding: { resolutions: Record<string, boolean> }
  defaults: { player: { autoPlay: boolean } }
}

/** `/api/v1/server/stats`: the counters Kinora keeps. */
export type ServerStats = Record<string, number | unknown[]>

/** PeerTube's VideoPlaylist (the fields used here). */
export interface VideoPlaylist {
  id: number
  uuid: string
  shortUUID: string
  displayName: string
  description: string | null
  isLocal: boolean
  privacy: Labelled
  type: Labelled
  videosLength: number
  thumbnailPath: string | null
  thumbnailUrl?: string | null
  ownerAccount: AccountSummary
  videoChannel: ChannelSummary | null
  createdAt: string
}

/** PeerTube's VideoPlaylistElement: `video` only when the viewer may see it. */
export interface VideoPlaylistElement {
  id: number
  position: number
  startTimestamp: number | null
  stopTimestamp: number | null
  /** 0 regular, 1 deleted, 2 private, 3 unavailable. */
  type: number
  video: Video | null
}

/** Where a video is in the caller's playlists (`videos-exist`). */
export interface VideoExistInPlaylist {
  playlistElementId: number
  playlistId: number
  playlistDisplayName: string
  playlistShortUUID: string
  startTimestamp?: number | null
  stopTimestamp?: number | null
}
