"""The offline mirror of krefeld.de: content as YAML data, a renderer, markup variants and an HTTP server."""
