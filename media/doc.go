// Package media will hold the WebRTC↔SIP gateway: the browser leg
// (pion/webrtc), the SIP leg (sipgo), the bridge between them and the demo
// phone line. It is empty until the softphone work lands; docs/architecture.md
// describes the intended shape.
package media
