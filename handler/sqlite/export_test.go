package sqlite

// Queued returns how many calls to Do wait for the writer to take them.
func (w *Writer) Queued() int { return len(w.reqs) }
