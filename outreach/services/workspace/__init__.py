"""Read models of the workspace and reports: what pages, status, reports and the digest show.
Nothing writes through them."""
