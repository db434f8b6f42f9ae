package postgres

// Test access to the delivery worker's internals.

// OnPass makes the worker call f after each pass of Run.
func (w *DeliveryWorker) OnPass(f func()) { w.afterPass = f }
