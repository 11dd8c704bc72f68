package commshub.ota

import commshub.ota.model.Answer
import commshub.ota.model.ColumnarQuery
import commshub.ota.model.Command
import commshub.ota.model.EstateTableInput
import commshub.ota.model.FeedPage
import commshub.ota.model.Query
import commshub.ota.model.StoreInfo
import commshub.ota.model.Verified
import java.time.Instant

/**
 * The engine: every command, query and store operation of commshub-ota. Thread-safe (one lock
 * around the core engine) and [AutoCloseable] (Kotlin `use {}`, Java try-with-resources), which
 * lets go of a durable store's file or connection.
 *
 * A thin layer over the generated [NativeEngine], one line per entry: it rethrows the generated
 * checked exceptions as the unchecked [CommsHubOtaException], gives Java static factories and
 * overloads, and takes the actor as an [Actor] or its text (`"dcc"`, `"csp:north"`,
 * `"customer:SUP-A"`). The documentation of each call is the native one's.
 */
class Engine private constructor(private val native: NativeEngine) : AutoCloseable {
    /** An empty engine in memory. */
    constructor() : this(NativeEngine())

    companion object {
        /** An empty engine in memory (Java: `Engine.inMemory()`, or `new Engine()`). */
        @JvmStatic fun inMemory(): Engine = Engine()

        /** A durable engine on a SQLite file or a PostgreSQL URL (see [NativeEngine.open]). */
        @JvmStatic @JvmOverloads
        fun open(location: String, snapshotEvery: Long = 10_000): Engine = Engine(native { NativeEngine.open(location, snapshotEvery) })

        /** [open] with every option of [StoreOptions]. */
        @JvmStatic fun openWith(location: String, options: StoreOptions): Engine = Engine(native { NativeEngine.openWith(location, options) })

        /** [openWith] for a signed store, this host signing its snapshots and checkpoints with [signer]. */
        @JvmStatic fun openSigned(location: String, options: StoreOptions, signer: Signer): Engine = Engine(native { NativeEngine.openSigned(location, options, signer) })

        /** Imports a JSON-lines log into the empty store at [location] and opens it. */
        @JvmStatic @JvmOverloads
        fun importLog(path: String, location: String, snapshotEvery: Long = 10_000): Engine = Engine(native { NativeEngine.importLog(path, location, snapshotEvery) })

        /** [importLog] with every option of [StoreOptions]. */
        @JvmStatic fun importLogWith(path: String, location: String, options: StoreOptions): Engine = Engine(native { NativeEngine.importLogWith(path, location, options) })

        /** [importLogWith] for a signed log, this host's [signer] signing its snapshots. */
        @JvmStatic fun importLogSigned(path: String, location: String, options: StoreOptions, signer: Signer): Engine = Engine(native { NativeEngine.importLogSigned(path, location, options, signer) })

        /** An engine in memory rebuilt from a JSON-lines event log. */
        @JvmStatic fun replayLog(path: String): Engine = Engine(native { NativeEngine.replayLog(path) })

        /** An engine in memory rebuilt from a signed log, every act verified against the trust. */
        @JvmStatic fun replaySignedLog(path: String, log: String, anchor: String): Engine = Engine(native { NativeEngine.replaySignedLog(path, log, anchor) })

        /** An engine in memory running a signed log under the trust of [log] and [anchor]. */
        @JvmStatic fun withTrust(log: String, anchor: String): Engine = Engine(native { NativeEngine.withTrust(log, anchor) })

        /** An engine in memory holding a snapshot's state. */
        @JvmStatic fun fromSnapshot(bytes: ByteArray): Engine = Engine(native { NativeEngine.fromSnapshot(bytes) })
    }

    // Commands.
    fun execute(actor: Actor, at: Instant, command: Command): List<Recorded> = execute(actor.code, at, command)
    fun execute(actor: String, at: Instant, command: Command): List<Recorded> = native { native.execute(actor, at, command) }
    fun executeJson(actor: Actor, at: Instant, commandJson: String): List<Recorded> = executeJson(actor.code, at, commandJson)
    fun executeJson(actor: String, at: Instant, commandJson: String): List<Recorded> = native { native.executeJson(actor, at, commandJson) }
    fun executeBatch(at: Instant, commands: List<BatchCommand>): List<BatchAnswer> = native { native.executeBatch(at, commands) }
    fun loadEstate(actor: Actor, at: Instant, hubs: List<HubInput>): Long = loadEstate(actor.code, at, hubs)
    fun loadEstate(actor: String, at: Instant, hubs: List<HubInput>): Long = native { native.loadEstate(actor, at, hubs) }
    fun loadEstateTable(actor: Actor, at: Instant, table: EstateTableInput): Long = loadEstateTable(actor.code, at, table)
    fun loadEstateTable(actor: String, at: Instant, table: EstateTableInput): Long = native { native.loadEstateTable(actor, at, table) }
    fun loadEstateArrow(actor: Actor, at: Instant, ipc: ByteArray): Long = loadEstateArrow(actor.code, at, ipc)
    fun loadEstateArrow(actor: String, at: Instant, ipc: ByteArray): Long = native { native.loadEstateArrow(actor, at, ipc) }

    // Signed commands.
    fun signAs(actor: Actor, signer: Signer) = signAs(actor.code, signer)
    fun signAs(actor: String, signer: Signer) = native { native.signAs(actor, signer) }
    fun sign(signer: Signer, actor: Actor, at: Instant, command: Command): SignedCommandRecord = sign(signer, actor.code, at, command)
    fun sign(signer: Signer, actor: String, at: Instant, command: Command): SignedCommandRecord = native { native.sign(signer, actor, at, command) }
    fun executeSigned(signed: SignedCommandRecord): List<Recorded> = native { native.executeSigned(signed) }
    fun nextAct(actor: Actor): Long = nextAct(actor.code)
    fun nextAct(actor: String): Long = native { native.nextAct(actor) }
    fun keysOf(party: Actor): List<KeyEntryRecord> = keysOf(party.code)
    fun keysOf(party: String): List<KeyEntryRecord> = native { native.keysOf(party) }
    fun checkpoint(at: Instant): CheckpointRecord = native { native.checkpoint(at) }
    fun latestCheckpoint(): CheckpointRecord? = native { native.latestCheckpoint() }
    fun verifyCheckpoint(checkpoint: CheckpointRecord) = native { native.verifyCheckpoint(checkpoint) }

    // Queries.
    fun query(actor: Actor, query: Query): Answer = query(actor.code, query)
    fun query(actor: String, query: Query): Answer = native { native.query(actor, query) }
    fun queryJson(actor: Actor, queryJson: String): String = queryJson(actor.code, queryJson)
    fun queryJson(actor: String, queryJson: String): String = native { native.queryJson(actor, queryJson) }
    /**
     * A columnar answer as Arrow IPC stream bytes. Its `hub` column is the EUI-64 as an unsigned
     * 64-bit integer (Arrow Java's `UInt8Vector`: `get(i)` is a long holding the same bits,
     * [CommsHubOta.hubText] its text); [hubText] true gives the canonical text instead.
     */
    @JvmOverloads fun queryArrow(actor: Actor, query: ColumnarQuery, hubText: Boolean = false): ByteArray = queryArrow(actor.code, query, hubText)
    @JvmOverloads fun queryArrow(actor: String, query: ColumnarQuery, hubText: Boolean = false): ByteArray = native { native.queryArrow(actor, query, hubText) }
    fun queryArrowJson(actor: Actor, queryJson: String): ByteArray = queryArrowJson(actor.code, queryJson)
    fun queryArrowJson(actor: String, queryJson: String): ByteArray = native { native.queryArrowJson(actor, queryJson) }

    // The store.
    @JvmOverloads fun feed(actor: Actor, cursor: Long = 0, limit: Long = 1_000): FeedPage = feed(actor.code, cursor, limit)
    @JvmOverloads fun feed(actor: String, cursor: Long = 0, limit: Long = 1_000): FeedPage = native { native.feed(actor, cursor, limit) }
    @JvmOverloads fun feedJson(actor: Actor, cursor: Long = 0, limit: Long = 1_000): String = feedJson(actor.code, cursor, limit)
    @JvmOverloads fun feedJson(actor: String, cursor: Long = 0, limit: Long = 1_000): String = native { native.feedJson(actor, cursor, limit) }
    fun catchUp(): Long = native { native.catchUp() }
    fun waitForEvents(timeoutMillis: Long): Long = native { native.waitForEvents(timeoutMillis) }
    fun snapshot(): Long = native { native.snapshot() }
    fun verifyStore(): Verified = native { native.verifyStore() }
    fun storeInfo(): StoreInfo = native { native.storeInfo() }
    fun openReport(): OpenReport? = native { native.openReport() }
    fun exportLog(path: String): Long = native { native.exportLog(path) }
    fun writeLog(path: String) = native { native.writeLog(path) }
    fun toSnapshot(): ByteArray = native { native.toSnapshot() }

    // The recorded events (the DCC's view of the log) and the engine's size.
    @JvmOverloads fun events(start: Long = 0): List<Recorded> = native { native.events(start) }
    @JvmOverloads fun journalLines(start: Long = 0): List<String> = native { native.journalLines(start) }
    fun lastSeq(): Long = native { native.lastSeq() }
    fun hubCount(): Long = native { native.hubCount() }

    /**
     * Whether both engines hold the same state (e.g. an engine and its replay). The other engine
     * is asked for its handle (a closed one refuses with `IllegalStateException`), and the native
     * side compares the states without ever holding both engines' locks.
     */
    fun sameStateAs(other: Engine): Boolean = native { native.sameStateAsHandle(other.native.stateHandle()) }

    /** Lets go of the engine (and a durable store's file or connection); later calls throw `IllegalStateException`. */
    override fun close() = native.close()

    override fun toString(): String = "Engine(${native { native.lastSeq() }} events, ${native { native.hubCount() }} hubs)"
}
