package realtime

import (
	"encoding/binary"

	"github.com/gorilla/websocket"
)

// Frames the server writes, encoded once and written as they are to every
// connection that gets them (RFC 6455 §5.2). A server's frames are never
// masked (§5.1), and this server negotiates no extension (no compression),
// so a frame is the same bytes for every connection: an event is framed
// once when it is read, not once per connection as gorilla's writer would.

// Opcodes of RFC 6455 §5.2 (gorilla's message types are the same numbers).
const (
	opText  = websocket.TextMessage
	opClose = websocket.CloseMessage
	opPing  = websocket.PingMessage
	opPong  = websocket.PongMessage
)

// frame returns payload framed as one final frame of opcode op.
func frame(op int, payload []byte) []byte {
	b := make([]byte, 0, 10+len(payload))
	b = append(b, 0x80|byte(op)) // FIN, no RSV bits
	switch n := len(payload); {
	case n <= 125:
		b = append(b, byte(n))
	case n <= 0xFFFF:
		b = append(b, 126)
		b = binary.BigEndian.AppendUint16(b, uint16(n))
	default:
		b = append(b, 127)
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	return append(b, payload...)
}

// textFrame frames a message of the protocol (one JSON object).
func textFrame(payload []byte) []byte { return frame(opText, payload) }

// closeFrame frames a close with its status code and reason (§5.5.1); the
// reason is cut to fit a control frame's 125 bytes.
func closeFrame(code int, reason string) []byte {
	p := websocket.FormatCloseMessage(code, reason)
	return frame(opClose, p[:min(len(p), 125)])
}

// pingFrame is the server's keep-alive ping; it carries no data.
var pingFrame = frame(opPing, nil)
