// The PeerTube-shaped JSON the pages read (only the fields used here).

export interface Labelled<T = number> { id: T, label: string }

export interface ActorImage { path?: string, fileUrl?: string, width?: number }

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
}

export interface Account extends AccountSummary {
  description?: string | null
  followersCount?: number
  createdAt?: string
}

export interface VideoFile {
  id?: number
  resolution: Labelled
  size: number
  fileUrl: string
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
  description?: string | null
  truncatedDescription?: string | null
  duration: number
  views: number
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
}

export interface VideoDetails extends Video {
  tags: string[]
  commentsEnabled?: boolean
  commentsPolicy?: Labelled
  streamingPlaylists: StreamingPlaylist[]
  files?: VideoFile[]
  /** The video's trackers: WebSocket (for the player's sharing) and HTTP. */
  trackerUrls?: string[]
  failureReason?: string | null
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
}

export interface CommentTree { comment: VideoComment, children: CommentTree[] }

export interface Page<T> { total: number, data: T[] }

export interface User {
  id: number
  username: string
  account: AccountSummary
  videoChannels: ChannelSummary[]
  role: Labelled
}

/** PeerTube's video states that matter to the pages. */
export const VideoState = { published: 1, toTranscode: 2, transcodingFailed: 7 } as const

/** PeerTube's privacy ids. */
export const Privacy = { public: 1, unlisted: 2, private: 3 } as const
