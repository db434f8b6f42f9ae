// Package media will hold the WebRTC↔SIP gateway: the browser leg
// (pion/webrtc), the SIP leg (sipgo), the bridge between them and the demo
// phone line. It is empty until the softphone issue; see ../shared/DESIGN.md
// in the design notes and docs/architecture.md for the intended shape.
package media
