package commshub.ota

import commshub.ota.model.Entity
import commshub.ota.model.ErrorKind
import commshub.ota.model.IdKind
import commshub.ota.model.NativeException
import commshub.ota.model.Phase
import commshub.ota.model.Rule
import commshub.ota.model.Transition

/**
 * Every error the library raises: unchecked (Java need not declare it, and lambdas and streams
 * compile), one subclass per [ErrorKind], each with the core's fields typed (phases, rules and
 * entities as enums), and [Panic] for a defect in the library itself.
 *
 * The message is the core's one-line description, which names what was wrong and with which
 * input. Made here from the generated, checked `NativeException`, one line per kind: this file
 * holds no rule of the domain.
 */
sealed class CommsHubOtaException(
    /** What kind of refusal this is; `null` only for [Panic], which is no refusal. */
    val kind: ErrorKind?,
    message: String,
    cause: Throwable? = null,
) : RuntimeException(message, cause) {
    class InvalidId(val idKind: IdKind, val input: String, val reason: String, message: String) :
        CommsHubOtaException(ErrorKind.INVALID_ID, message)

    class InvalidInput(val field: String, val reason: String, message: String) :
        CommsHubOtaException(ErrorKind.INVALID_INPUT, message)

    class NotPermitted(val actor: String, val action: String, val reason: String, message: String) :
        CommsHubOtaException(ErrorKind.NOT_PERMITTED, message)

    class NotFound(val entity: Entity, val id: String, message: String) :
        CommsHubOtaException(ErrorKind.NOT_FOUND, message)

    class AlreadyExists(val entity: Entity, val id: String, message: String) :
        CommsHubOtaException(ErrorKind.ALREADY_EXISTS, message)

    class IllegalTransition(val campaign: String, val current: Phase, val attempted: Transition, message: String) :
        CommsHubOtaException(ErrorKind.ILLEGAL_TRANSITION, message)

    class PreconditionFailed(val rule: Rule, val detail: String, message: String) :
        CommsHubOtaException(ErrorKind.PRECONDITION_FAILED, message)

    /** A bulk load refused whole: every bad row, with its index in the input and why. */
    class BulkRejected(val rows: List<commshub.ota.model.RowError>, message: String) :
        CommsHubOtaException(ErrorKind.BULK_REJECTED, message)

    class CorruptLog(val line: Long, val reason: String, message: String) :
        CommsHubOtaException(ErrorKind.CORRUPT_LOG, message)

    class UnsupportedSchema(val line: Long, val found: Long, val supported: Long, message: String) :
        CommsHubOtaException(ErrorKind.UNSUPPORTED_SCHEMA, message)

    class Io(val path: String, val reason: String, message: String) :
        CommsHubOtaException(ErrorKind.IO, message)

    /** Another writer got there first (the engine has caught up: retry). */
    class Conflict(val expected: Long?, val found: Long?, message: String) :
        CommsHubOtaException(ErrorKind.CONFLICT, message)

    class CorruptSnapshot(val seq: Long, val reason: String, message: String) :
        CommsHubOtaException(ErrorKind.CORRUPT_SNAPSHOT, message)

    class BadSignature(val actor: String, val reason: String, message: String) :
        CommsHubOtaException(ErrorKind.BAD_SIGNATURE, message)

    /** A rule's condition refused when written: where (`line`, `column`, from 1) and why. */
    class InvalidCondition(val line: Int, val column: Int, val reason: String, message: String) :
        CommsHubOtaException(ErrorKind.INVALID_CONDITION, message)

    /**
     * A defect in this library: a Rust panic, caught at the boundary so that the JVM goes on
     * (the engine it happened in stays usable; its state is what the last accepted command left).
     */
    class Panic(message: String, cause: Throwable?) : CommsHubOtaException(null, message, cause)

    companion object {
        /** The public exception for one the generated layer threw. */
        @JvmStatic
        internal fun of(e: NativeException): CommsHubOtaException = when (e) {
            is NativeException.InvalidId -> InvalidId(e.idKind, e.input, e.reason, e.description)
            is NativeException.InvalidInput -> InvalidInput(e.field, e.reason, e.description)
            is NativeException.NotPermitted -> NotPermitted(e.actor, e.action, e.reason, e.description)
            is NativeException.NotFound -> NotFound(e.entity, e.id, e.description)
            is NativeException.AlreadyExists -> AlreadyExists(e.entity, e.id, e.description)
            is NativeException.IllegalTransition -> IllegalTransition(e.campaign, e.current, e.attempted, e.description)
            is NativeException.PreconditionFailed -> PreconditionFailed(e.rule, e.detail, e.description)
            is NativeException.BulkRejected -> BulkRejected(e.rows, e.description)
            is NativeException.CorruptLog -> CorruptLog(e.line, e.reason, e.description)
            is NativeException.UnsupportedSchema -> UnsupportedSchema(e.line, e.found, e.supported, e.description)
            is NativeException.Io -> Io(e.path, e.reason, e.description)
            is NativeException.Conflict -> Conflict(e.expected, e.found, e.description)
            is NativeException.CorruptSnapshot -> CorruptSnapshot(e.seq, e.reason, e.description)
            is NativeException.BadSignature -> BadSignature(e.actor, e.reason, e.description)
            is NativeException.InvalidCondition -> InvalidCondition(e.line, e.column, e.reason, e.description)
        }
    }
}

/**
 * Runs one call of the generated layer, rethrowing its checked exceptions as the unchecked
 * [CommsHubOtaException]: every public entry point of this package goes through it.
 */
internal inline fun <T> native(call: () -> T): T = try {
    call()
} catch (e: NativeException) {
    throw CommsHubOtaException.of(e)
} catch (e: InternalException) {
    throw CommsHubOtaException.Panic(e.message ?: "a panic in commshub-ota", e)
}
