// Package frontend embeds the built single-page app (frontend/dist, made by
// `npm run build`). dist/.gitkeep keeps the directory, and so the Go build,
// valid on a fresh clone before the app is built.
package frontend

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// Dist returns the built app, or nil when only the placeholder is there.
func Dist() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		return nil
	}
	if _, err := fs.Stat(sub, "index.html"); err != nil {
		return nil
	}
	return sub
}
