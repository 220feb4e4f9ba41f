// webrtc-polyfill's API, served by @roamhq/wrtc.
import wrtc from '@roamhq/wrtc'

export const { RTCPeerConnection, RTCSessionDescription, RTCIceCandidate, RTCDataChannel } = wrtc
export default wrtc
