package commshub.ota

/**
 * Whether both engines hold the same state (e.g. an engine and its replay).
 *
 * Written here rather than generated: UniFFI 0.32 passes an object argument without checking
 * that it is still open, so `other` is asked for its handle instead (a closed engine refuses
 * that call with `IllegalStateException`, as every method of a closed engine does), and the
 * native side compares the states without ever holding both engines' locks.
 */
fun Engine.sameStateAs(other: Engine): Boolean = sameStateAsHandle(other.stateHandle())
