package commshub.ota

import commshub.ota.model.*
import org.junit.jupiter.api.Assertions.assertArrayEquals
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.params.ParameterizedTest
import org.junit.jupiter.params.provider.MethodSource
import org.junit.jupiter.api.Test
import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicInteger

/**
 * The durable engine from the JVM (issue 13), against both stores: SQLite always, PostgreSQL
 * when COMMSHUB_OTA_PG_URL names a server (scripts/test starts one; under CI its absence fails).
 */
class StoreTest {
    companion object {
        private val counter = AtomicInteger()
        private val dir: Path = Scratch.dir("store")

        private fun pgBase(): String? {
            val url = System.getenv("COMMSHUB_OTA_PG_URL")
            check(url != null || System.getenv("CI") == null) { "CI runs the PostgreSQL store tests: COMMSHUB_OTA_PG_URL is not set" }
            return url
        }

        @JvmStatic
        fun backends(): List<String> = listOf("sqlite") + (if (pgBase() != null) listOf("postgres") else emptyList())

        private fun psql(url: String, sql: String): String {
            val psql = listOf("/usr/bin/psql", "/usr/local/bin/psql").firstOrNull { Files.isExecutable(Path.of(it)) }
                ?: Files.list(Path.of("/usr/lib/postgresql")).use { s -> s.map { it.resolve("bin/psql").toString() }.findFirst().get() }
            val p = ProcessBuilder(psql, "-qAt", url, "-c", sql).redirectErrorStream(true).start()
            val out = p.inputStream.bufferedReader().readText()
            check(p.waitFor() == 0) { "psql: $out" }
            return out
        }

        /** The location of a new, empty store of kind [backend]. */
        fun fresh(backend: String): String {
            val n = counter.incrementAndGet()
            if (backend == "sqlite") return dir.resolve("s$n.db").toString()
            val base = pgBase()!!
            val db = "kt${ProcessHandle.current().pid()}_$n"
            psql(base, "DROP DATABASE IF EXISTS $db")
            psql(base, "CREATE DATABASE $db")
            return base.substringBeforeLast('/') + "/" + db
        }

        fun sql(loc: String, statement: String) {
            if (loc.startsWith("postgres")) {
                psql(loc, statement)
            } else {
                // The sqlite3 shell is not everywhere: the statement goes through a Python one-liner.
                val p = ProcessBuilder("python3", "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(sys.argv[2]); c.commit()", loc, statement)
                    .redirectErrorStream(true).start()
                val out = p.inputStream.bufferedReader().readText()
                check(p.waitFor() == 0) { "sqlite: $out" }
            }
        }
    }

    private val a = "customer:SUP-A"
    private val d = "customer:SUP-D"
    private val b = "customer:SUP-B"

    /** The rolling fixture's commands on [e]. */
    private fun rolling(e: Engine): Engine {
        val filled = Conformance.given(e, Conformance.mapper.readTree(Conformance.testsDir.resolve("fixtures/rollout_estate.json").toFile()))
        filled.execute("dcc", t(1), Command.CreateCampaign(CreateCampaign("C2", "CH-N-DB", "2.0", t(59), CampaignPolicy())))
        filled.execute("dcc", t(2), Command.GrantPilotOa(GrantPilotOa("C2")))
        listOf(a, d).forEach { filled.execute(it, t(2), Command.ApproveWholeEstate(ApproveWholeEstate("C2"))) }
        return filled
    }

    private fun create(id: String) = Command.CreateCampaign(CreateCampaign(id, "CH-N-DB", "2.0", t(59), CampaignPolicy()))

    @ParameterizedTest
    @MethodSource("backends")
    fun `a durable engine reopens to the state it acknowledged`(backend: String) {
        val loc = fresh(backend)
        rolling(Engine()).use { memory ->
            rolling(Engine.open(loc, 0)).use { e ->
                assertTrue(e.sameStateAs(memory))
                assertEquals(memory.lastSeq().toLong(), e.storeInfo().events)
                // The whole history, read from the store: the same as the engine in memory's.
                assertEquals(memory.journalLines(0), e.journalLines(0))
                assertEquals(memory.events(5).map { it.seq }, e.events(5).map { it.seq })
            }
            Engine.open(loc, 10_000).use { again ->
                assertTrue(again.sameStateAs(memory))
                val report = again.openReport()!!
                assertNull(report.snapshot)
                assertEquals(memory.lastSeq(), report.replayed)
                val verified = again.verifyStore() as Verified.Chained
                assertEquals(memory.lastSeq().toLong(), verified.events)
            }
            assertNull(memory.openReport())
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    fun `a refused command leaves the store and a lost race is a typed conflict`(backend: String) {
        val loc = fresh(backend)
        rolling(Engine.open(loc, 0)).use { first ->
            Engine.open(loc, 0).use { second ->
                val before = first.storeInfo()
                assertThrows(CommsHubOtaException.NotPermitted::class.java) { first.execute(b, t(3), Command.GrantPilotOa(GrantPilotOa("C2"))) }
                assertEquals(before, first.storeInfo())
                first.execute("dcc", t(3), create("C7"))
                val conflict = assertThrows(CommsHubOtaException.Conflict::class.java) { second.execute("dcc", t(3), create("C8")) }
                assertEquals(first.lastSeq() - 1, conflict.expected)
                assertEquals(first.lastSeq(), conflict.found)
                assertTrue(second.sameStateAs(first), "caught up")
                second.execute("dcc", t(3), create("C8"))
                assertEquals(1L, first.catchUp())
                assertTrue(first.sameStateAs(second))
                // A customer's lost race names no event numbers: null, not 0.
                first.execute("dcc", t(3), create("C9"))
                val flag = Command.FlagDefect(FlagDefect(DefectSubject.Firmware("CH-N-DB", "2.0"), "IHD drops", false, false))
                val hidden = assertThrows(CommsHubOtaException.Conflict::class.java) { second.execute(a, t(3), flag) }
                assertNull(hidden.expected)
                assertNull(hidden.found)
                assertFalse(hidden.message!!.contains("event"), hidden.message!!)
            }
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    fun `a batch commits the accepted commands and answers each`(backend: String) {
        val loc = fresh(backend)
        rolling(Engine.open(loc, 0)).use { e ->
            val before = e.lastSeq()
            val answers = e.executeBatch(t(3), listOf(BatchCommand("dcc", create("C7")), BatchCommand("dcc", create("C7")), BatchCommand(b, create("C8"))))
            assertEquals("campaign_created", answers[0].events[0].eventType)
            assertNull(answers[0].refused)
            assertEquals(ErrorKind.ALREADY_EXISTS, answers[1].refused!!.kind)
            assertEquals(ErrorKind.NOT_PERMITTED, answers[2].refused!!.kind)
            assertEquals((before + 1).toLong(), e.storeInfo().events)
            // A command read from a queue goes into a batch through its JSON form.
            val fromQueue = CommsHubOta.commandFromJson("{\"type\":\"create_campaign\",\"campaign\":\"C9\",\"variant\":\"CH-N-DB\",\"target\":\"2.0\",\"cutoff\":\"2026-03-01T09:00:00Z\"}")
            assertNull(e.executeBatch(t(3), listOf(BatchCommand("dcc", fromQueue)))[0].refused)
            assertThrows(CommsHubOtaException.InvalidInput::class.java) { CommsHubOta.commandFromJson("{\"type\":\"no_such_command\"}") }
            val tooMany = assertThrows(CommsHubOtaException.InvalidInput::class.java) {
                e.executeBatch(t(3), List(10_001) { BatchCommand("dcc", create("C9")) })
            }
            assertEquals("commands", tooMany.field)
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    fun `snapshots restart the engine and a bad one falls back to the events`(backend: String) {
        val loc = fresh(backend)
        val seqAtSnapshot = rolling(Engine.open(loc, 0)).use { e ->
            assertTrue(e.snapshot() > 0)
            val at = e.lastSeq()
            e.execute("dcc", t(3), create("C7"))
            at
        }
        Engine.open(loc, 0).use { again ->
            val report = again.openReport()!!
            assertEquals(seqAtSnapshot, report.snapshot)
            assertEquals(1L, report.replayed)
        }
        sql(loc, if (loc.startsWith("postgres")) "UPDATE snapshots SET data = substring(data from 1 for 200)" else "UPDATE snapshots SET data = substr(data, 1, 200)")
        // Opening on the fallback raises, unless the host allows it; then the report says why.
        assertThrows(CommsHubOtaException.CorruptSnapshot::class.java) { Engine.open(loc, 0) }
        Engine.openWith(loc, StoreOptions(snapshotEvery = 0, allowFallback = true)).use { fallback ->
            val report = fallback.openReport()!!
            assertNull(report.snapshot)
            assertEquals(ErrorKind.CORRUPT_SNAPSHOT, report.refused[0].kind)
            assertEquals(seqAtSnapshot + 1, fallback.lastSeq())
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    fun `a changed event is refused naming it`(backend: String) {
        val loc = fresh(backend)
        rolling(Engine.open(loc, 0)).close()
        sql(loc, "UPDATE events SET body = replace(body, 'CH-N-DB', 'CH-N-DC') WHERE seq = 3")
        val err = assertThrows(CommsHubOtaException.CorruptLog::class.java) { Engine.open(loc, 0) }
        assertEquals(3L, err.line)
        assertTrue(err.message!!.contains("event 3"), err.message!!)
    }

    @ParameterizedTest
    @MethodSource("backends")
    fun `export and import keep the chain byte for byte`(backend: String) {
        val file = Files.createTempFile(dir, "log", ".jsonl")
        rolling(Engine.open(fresh(backend), 0)).use { e ->
            assertEquals(e.lastSeq(), e.exportLog(file.toString()))
            assertTrue(CommsHubOta.verifyLog(file.toString()) is Verified.Chained)
        }
        Engine.importLog(file.toString(), fresh(backend), 0).use { imported ->
            rolling(Engine()).use { memory -> assertTrue(imported.sameStateAs(memory)) }
            val again = Files.createTempFile(dir, "again", ".jsonl")
            imported.exportLog(again.toString())
            assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(again))
            val err = assertThrows(CommsHubOtaException.InvalidInput::class.java) { Engine.importLog(file.toString(), imported.storeInfo().location, 0) }
            assertTrue(err.message!!.contains("empty store"), err.message!!)
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    fun `a party reads its own feed by cursor and a follower is woken`(backend: String) {
        val loc = fresh(backend)
        rolling(Engine.open(loc, 0)).use { writer ->
            Engine.open(loc, 0).use { follower ->
                assertEquals(0L, follower.waitForEvents(50))
                val pool = Executors.newSingleThreadExecutor()
                val woken = pool.submit<Long> { follower.waitForEvents(20_000) }
                Thread.sleep(200)
                writer.execute("dcc", t(3), Command.SuspendCampaign(SuspendCampaign("C2", "a look")))
                assertTrue(woken.get(30, TimeUnit.SECONDS) >= 1)
                pool.shutdown()
                assertTrue(follower.sameStateAs(writer))
                // SUP-A's feed: its own positions 1, 2, 3...; no event numbers for a customer.
                val feed = mutableListOf<Notification>()
                var cursor = 0L
                while (true) {
                    val page = follower.feed(a, cursor, 2)
                    if (page.notifications.isEmpty()) break
                    feed += page.notifications
                    cursor = page.cursor.toLong()
                }
                assertEquals((1..feed.size).map { it.toLong() }, feed.map { it.id })
                assertTrue(feed.all { it.event == null })
                assertTrue(feed.any { it.kind is NotificationKind.PhaseChanged })
                assertThrows(CommsHubOtaException.InvalidInput::class.java) { follower.feed(a, 0, 0) }
                assertThrows(CommsHubOtaException.InvalidInput::class.java) { follower.feed(a, 0, 10_001) }
                assertThrows(CommsHubOtaException.InvalidInput::class.java) { follower.feed(a, -1, 10) }
                assertThrows(CommsHubOtaException.InvalidInput::class.java) { follower.waitForEvents(-1) }
                assertThrows(CommsHubOtaException.InvalidId::class.java) { follower.feed("nobody", 0, 10) }
            }
        }
    }

    @Test
    fun `snapshot bytes round trip and bad ones are a typed error`() {
        rolling(Engine()).use { e ->
            val bytes = e.toSnapshot()
            Engine.fromSnapshot(bytes).use { copy -> assertTrue(copy.sameStateAs(e)) }
            bytes[100] = (bytes[100].toInt() xor 0x40).toByte()
            val err = assertThrows(CommsHubOtaException.CorruptSnapshot::class.java) { Engine.fromSnapshot(bytes) }
            assertTrue(err.reason.contains("checksum"), err.reason)
            assertThrows(CommsHubOtaException.InvalidInput::class.java) { e.snapshot() }
        }
    }

    @Test
    fun `an unreachable store is an I-O error without the password`() {
        assertThrows(CommsHubOtaException.Io::class.java) { Engine.open("/nonexistent/dir/x.db", 0) }
        val err = assertThrows(CommsHubOtaException.Io::class.java) { Engine.open("postgres://nobody:secret@127.0.0.1:1/none", 0) }
        assertFalse(err.message!!.contains("secret"), err.message!!)
        assertThrows(CommsHubOtaException.InvalidInput::class.java) { Engine.open(fresh("sqlite"), -1) }
    }

    @ParameterizedTest
    @MethodSource("backends")
    fun `writeLog writes the whole history from the store and a stale instance decides again`(backend: String) {
        val loc = fresh(backend)
        rolling(Engine()).use { memory ->
            rolling(Engine.open(loc, 0)).use { e ->
                Engine.open(loc, 0).use { stale ->
                    val (durableLog, memoryLog) = dir.resolve("d$backend.jsonl") to dir.resolve("m$backend.jsonl")
                    e.writeLog(durableLog.toString())
                    memory.writeLog(memoryLog.toString())
                    assertArrayEquals(Files.readAllBytes(memoryLog), Files.readAllBytes(durableLog))
                    Engine.replayLog(durableLog.toString()).use { assertTrue(it.sameStateAs(e)) }
                    // C7 is unknown to the stale instance's state, known to the store's: recorded.
                    e.execute("dcc", t(3), create("C7"))
                    val events = stale.execute("dcc", t(3), Command.GrantPilotOa(GrantPilotOa("C7")))
                    assertEquals(1, events.size)
                    assertThrows(CommsHubOtaException.NotFound::class.java) { stale.execute("dcc", t(3), Command.GrantPilotOa(GrantPilotOa("C99"))) }
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    fun `a recording time ahead of the clock is refused and another writer's is reported`(backend: String) {
        val loc = fresh(backend)
        val far = Command.CreateCampaign(CreateCampaign("C7", "CH-N-DB", "2.0", java.time.Instant.parse("9999-12-31T12:00:00Z"), CampaignPolicy()))
        val ahead = java.time.Instant.now().plus(java.time.Duration.ofDays(2))
        rolling(Engine.open(loc, 0)).use { e ->
            val before = e.storeInfo()
            val err = assertThrows(CommsHubOtaException.InvalidInput::class.java) { e.execute("dcc", ahead, far) }
            assertEquals("at", err.field)
            assertTrue(err.reason.contains("skew of 300 s"), err.reason)
            assertEquals(before, e.storeInfo())
        }
        Engine.openWith(loc, StoreOptions(snapshotEvery = 0, clockSkewSeconds = 3 * 86_400L)).use { wide ->
            wide.execute("dcc", ahead, far)
        }
        Engine.open(loc, 0).use { reader ->
            val report = reader.openReport()!!
            assertEquals(listOf(reader.lastSeq()), report.aheadOfClock)
            assertEquals(1L, report.aheadOfClockCount)
        }
        assertThrows(CommsHubOtaException.InvalidInput::class.java) { Engine.openWith(loc, StoreOptions(clockSkewSeconds = -1)) }
    }

    @ParameterizedTest
    @MethodSource("backends")
    fun `an unchained log is imported only when asked and the store says so`(backend: String) {
        val log = dir.resolve("unchained-$backend.jsonl")
        val lastSeq = rolling(Engine()).use { memory ->
            val chained = dir.resolve("chained-$backend.jsonl")
            memory.writeLog(chained.toString())
            val stripped = Files.readAllLines(chained)
                .filter { it.contains("\"seq\"") }
                .map { Conformance.mapper.readTree(it).let { node -> (node as com.fasterxml.jackson.databind.node.ObjectNode).apply { remove("hash") }.toString() } }
            Files.write(log, stripped)
            memory.lastSeq()
        }
        val target = fresh(backend)
        val err = assertThrows(CommsHubOtaException.CorruptLog::class.java) { Engine.importLog(log.toString(), target, 0) }
        assertTrue(err.reason.contains("allow_unchained"), err.reason)
        Engine.importLogWith(log.toString(), target, StoreOptions(snapshotEvery = 0, allowUnchained = true)).use {
            assertEquals(lastSeq, it.openReport()!!.unverifiedThrough)
        }
        Engine.open(target, 0).use { assertEquals(lastSeq, it.openReport()!!.unverifiedThrough) }
    }

    @Test
    fun `a failing automatic snapshot is reported and the engine goes on`() {
        val loc = fresh("sqlite")
        rolling(Engine.open(loc, 2)).use { e ->
            sql(loc, "CREATE TRIGGER refuse BEFORE INSERT ON snapshots BEGIN SELECT RAISE(ABORT, 'string or blob too big'); END")
            e.execute("dcc", t(3), create("C7"))
            e.execute("dcc", t(3), create("C8"))
            val report = e.openReport()!!
            assertTrue(report.snapshotFailureAt!! > 0)
            assertTrue(report.snapshotFailure!!.message.contains("too big"), report.snapshotFailure!!.message)
        }
    }
}
