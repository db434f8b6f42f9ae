// Package csvimport reads clients' CSV files for import and writes the
// client export. Input comes from outside and is untrusted: every reader
// here is bounded in memory (Limits), never panics and always ends.
//
// Files are read the way people actually save them: UTF-8 with or without
// a byte-order mark, or Windows-1251 (what Russian Excel writes for "CSV
// (разделители — точка с запятой)"); separated by commas, semicolons or tabs;
// with quoted fields that may span lines.
package csvimport
