package httpapi

import (
	"encoding/json"
	"errors"
	"mime/multipart"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/warmline/warmline/backend/csvimport"
	"github.com/warmline/warmline/backend/warmline"
)

// maxUpload bounds an uploaded CSV file (the parser has its own row limits).
const maxUpload = 20 << 20

// uploadedFile opens the multipart field "file", bounded by maxUpload.
func uploadedFile(c echo.Context) (multipart.File, *multipart.FileHeader, error) {
	c.Request().Body = http.MaxBytesReader(c.Response(), c.Request().Body, maxUpload+1<<20)
	fh, err := c.FormFile("file")
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, nil, warmline.FieldErrorf(warmline.ETOOLARGE, "file", "The file is larger than %d MiB.", maxUpload>>20)
	} else if err != nil {
		return nil, nil, warmline.FieldErrorf(warmline.EINVALID, "file", "Attach the CSV file as the multipart field \"file\".")
	}
	if fh.Size > maxUpload {
		return nil, nil, warmline.FieldErrorf(warmline.ETOOLARGE, "file", "The file is larger than %d MiB.", maxUpload>>20)
	}
	f, err := fh.Open()
	if err != nil {
		return nil, nil, warmline.FieldErrorf(warmline.EINVALID, "file", "Could not read the uploaded file.")
	}
	return f, fh, nil
}

func (s *Server) handleImportPreview(c echo.Context) error {
	f, _, err := uploadedFile(c)
	if err != nil {
		return err
	}
	defer f.Close()
	p, err := csvimport.Preview(f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

func (s *Server) handleImportStart(c echo.Context) error {
	f, fh, err := uploadedFile(c)
	if err != nil {
		return err
	}
	defer f.Close()
	var mapping map[string]string
	if err := json.Unmarshal([]byte(c.FormValue("mapping")), &mapping); err != nil {
		return warmline.FieldErrorf(warmline.EINVALID, "mapping", "mapping must be a JSON object from CSV header to field.")
	}
	mode := c.FormValue("mode")
	if mode != warmline.ImportAllOrNothing && mode != warmline.ImportSkipBadRows {
		return warmline.FieldErrorf(warmline.EINVALID, "mode", "mode must be all_or_nothing or skip_bad_rows.")
	}
	rows, rowErrs, err := csvimport.Parse(f, mapping, csvimport.Limits{MaxBytes: maxUpload})
	if err != nil {
		return err
	}
	im, err := s.Imports.StartImport(c.Request().Context(), fh.Filename, mode, rows, rowErrs)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, im)
}

func (s *Server) handleImport(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	im, err := s.Imports.FindImport(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, im)
}
