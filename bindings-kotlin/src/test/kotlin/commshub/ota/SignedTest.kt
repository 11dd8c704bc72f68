package commshub.ota

import commshub.ota.model.*
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.params.ParameterizedTest
import org.junit.jupiter.params.provider.MethodSource
import java.security.MessageDigest

/**
 * Signed acts from the JVM (issue 21, docs/domain.md decision 21): a [KeyPair] held here or any
 * [Signer] (an HSM's or a KMS's client), every command signed by its actor's registered key,
 * keys registered, rotated and revoked by the DCC, and a shared store in which no writer can
 * record another party's act, through the library or through SQL. Against both stores.
 */
class SignedTest {
    companion object {
        private const val LOG = "kt-test-log"
        private val A = "customer:SUP-A"
        private val B = "customer:SUP-B"
        private val N = "csp:north"

        fun key(label: String): KeyPair =
            KeyPair.fromSeed(MessageDigest.getInstance("SHA-256").digest("kotlin test key $label".toByteArray()))

        @JvmStatic
        fun backends(): List<String> = StoreTest.backends()
    }

    /** An HSM's client: the key stays inside; the engine sees the public key and signatures. */
    private class Hsm(label: String) : Signer {
        private val inner = key(label)
        var calls = 0
        override fun publicKey(): String = inner.publicKey()
        override fun sign(message: ByteArray): ByteArray {
            calls++
            return inner.sign(message)
        }
    }

    /** The DCC registers the CSP's and both suppliers' keys, a variant, its firmware and hubs 1 (SUP-A) and 2 (SUP-B). */
    private fun prepare(e: Engine) {
        e.signAs("dcc", key("dcc"))
        listOf(N, A, B).forEach { e.execute("dcc", t(0), Command.RegisterKey(RegisterKey(it, key(it).publicKey()))) }
        e.signAs(N, key(N))
        e.execute("dcc", t(0), Command.RegisterVariant(RegisterVariant(Variant("CH-N-DB", "Acme", "CH2", "B", HanBand.DUAL_BAND, Region.NORTH))))
        e.execute(N, t(0), Command.RegisterFirmware(RegisterFirmware("CH-N-DB", "1.0")))
        fun hub(n: Int, supplier: String) = HubInput(
            id = h(n), variant = "CH-N-DB", firmware = "1.0", smiStatus = SmiStatus.COMMISSIONED,
            installedOn = "2024-01-01", commissionedOn = "2024-01-02",
            devices = HanDevices(esme = HanDevice("EM-A1", "3.1")), importSupplier = supplier,
        )
        e.loadEstate("dcc", t(0), listOf(hub(1, "SUP-A"), hub(2, "SUP-B")))
    }

    @Test
    fun `a key pair round-trips through PKCS8 and bad keys are typed errors`() {
        val k = KeyPair.generate()
        assertEquals(64, k.publicKey().length)
        assertEquals(k.publicKey(), KeyPair.fromPkcs8Der(k.toPkcs8Der()).publicKey())
        assertEquals(64, k.sign("message".toByteArray()).size)
        assertThrows(CommsHubOtaException.InvalidInput::class.java) { KeyPair.fromSeed(ByteArray(5)) }
        assertThrows(CommsHubOtaException.InvalidInput::class.java) { KeyPair.fromPkcs8Der("not a key".toByteArray()) }
        assertThrows(CommsHubOtaException.InvalidInput::class.java) { Engine.withTrust("a log with spaces", k.publicKey()) }
    }

    @Test
    fun `every command is signed by its actor's registered key`(): Unit = Engine.withTrust(LOG, key("dcc").publicKey()).use { e ->
        // Unsigned: refused, typed, naming the actor.
        val unsigned = assertThrows(CommsHubOtaException.BadSignature::class.java) {
            e.execute("dcc", t(0), Command.RegisterKey(RegisterKey(A, key(A).publicKey())))
        }
        assertEquals("dcc", unsigned.actor)
        prepare(e)
        val first = e.events(0).first()
        assertEquals("dcc", first.act!!.by)
        assertEquals(key("dcc").publicKey(), first.act!!.key)
        // A customer signing through its HSM.
        val hsm = Hsm(A)
        e.signAs(A, hsm)
        e.execute("dcc", t(1), Command.RegisterKey(RegisterKey(A, KeyPair.generate().publicKey())))
        val notices = e.ask<Answer.Notifications>(A, Query.Notifications(10L)).v1.notifications
        assertEquals(1, notices.size)
        e.execute(A, t(1), Command.AcknowledgeNotifications(AcknowledgeNotifications(notices.last().id)))
        assertEquals(1, hsm.calls)
        // Another's key, and a signer that throws: refused, nothing recorded.
        val before = e.lastSeq()
        e.signAs(A, key(B))
        val other = assertThrows(CommsHubOtaException.BadSignature::class.java) { e.executeJson(A, t(2), """{"type":"check_deadlines"}""") }
        assertTrue(other.reason.contains("is not a key of customer SUP-A's"), other.reason)
        e.signAs(A, object : Signer {
            override fun publicKey(): String = key(A).publicKey()
            override fun sign(message: ByteArray): ByteArray = throw IllegalStateException("the HSM is unreachable")
        })
        val broken = assertThrows(CommsHubOtaException.InvalidInput::class.java) { e.executeJson(A, t(2), """{"type":"check_deadlines"}""") }
        assertEquals("signer", broken.field)
        assertEquals(before, e.lastSeq())
        // Signed elsewhere, sent to the host: recorded once; again, its counter is used.
        val signed = e.sign(key("dcc"), "dcc", t(2), Command.RegisterKey(RegisterKey("customer:SUP-C", KeyPair.generate().publicKey())))
        assertEquals(e.nextAct("dcc"), signed.n)
        assertNotNull(e.executeSigned(signed).first().act)
        val again = assertThrows(CommsHubOtaException.BadSignature::class.java) { e.executeSigned(signed) }
        assertTrue(again.reason.contains("act counter"), again.reason)
        val changed = signed.copy(n = e.nextAct("dcc"))
        assertTrue(assertThrows(CommsHubOtaException.BadSignature::class.java) { e.executeSigned(changed) }.reason.contains("does not hold"))
        // An unsigned engine takes no signer.
        Engine().use { plain -> assertThrows(CommsHubOtaException.BadSignature::class.java) { plain.signAs("dcc", key("dcc")) } }
    }

    @Test
    fun `keys are rotated and revoked and a signed log replays only with its trust`(): Unit = Engine.withTrust(LOG, key("dcc").publicKey()).use { e ->
        prepare(e)
        val next = KeyPair.generate()
        e.execute("dcc", t(1), Command.RotateKey(RotateKey(A, key(A).publicKey(), next.publicKey())))
        e.signAs(A, key(A))
        assertTrue(assertThrows(CommsHubOtaException.BadSignature::class.java) { e.executeJson(A, t(2), """{"type":"check_deadlines"}""") }.reason.contains("revoked"))
        e.execute("dcc", t(2), Command.RevokeKey(RevokeKey(A, next.publicKey(), "lost")))
        assertEquals(listOf(true, true), e.keysOf(A).map { it.revoked != null })
        val last = assertThrows(CommsHubOtaException.PreconditionFailed::class.java) {
            e.execute("dcc", t(2), Command.RevokeKey(RevokeKey("dcc", key("dcc").publicKey(), null)))
        }
        assertTrue(last.detail.contains("last valid key"), last.detail)
        val log = Scratch.file("signed", ".jsonl")
        e.writeLog(log.toString())
        Engine.replaySignedLog(log.toString(), LOG, key("dcc").publicKey()).use { assertTrue(it.sameStateAs(e)) }
        val untrusted = assertThrows(CommsHubOtaException.CorruptLog::class.java) { Engine.replayLog(log.toString()) }
        assertTrue(untrusted.reason.contains("trust anchor"), untrusted.reason)
        assertThrows(CommsHubOtaException.CorruptLog::class.java) { Engine.replaySignedLog(log.toString(), "another-log", key("dcc").publicKey()) }
    }

    /** Flips one byte of a SQLite store's snapshot (SQL's text functions would not keep a blob whole). */
    private fun flipSqliteSnapshotByte(loc: String, at: Int) {
        val script = "import hashlib,sqlite3,sys; c=sqlite3.connect(sys.argv[1]); d=bytearray(c.execute('SELECT data FROM snapshots').fetchone()[0]); " +
            "d[int(sys.argv[2])]=7; n=len(d)-104; d[n-32:n]=hashlib.sha256(bytes(d[:n-32])).digest(); " +
            "c.execute('UPDATE snapshots SET data=?', (bytes(d),)); c.commit()"
        val p = ProcessBuilder("python3", "-c", script, loc, at.toString()).redirectErrorStream(true).start()
        val out = p.inputStream.bufferedReader().readText()
        check(p.waitFor() == 0) { "sqlite: $out" }
    }

    private fun options(checkpointEvery: Long = 0) =
        StoreOptions(snapshotEvery = 0, trustLog = LOG, trustAnchor = key("dcc").publicKey(), checkpointEvery = checkpointEvery)

    @ParameterizedTest
    @MethodSource("backends")
    fun `no writer of a shared store records another party's act`(backend: String) {
        val loc = StoreTest.fresh(backend)
        Engine.openSigned(loc, options(), key("dcc")).use { dcc ->
            prepare(dcc)
            val checkpoint = dcc.checkpoint(t(1))
            assertEquals(checkpoint, dcc.latestCheckpoint())
            Engine.openSigned(loc, options(), key(A)).use { supplier ->
                supplier.verifyCheckpoint(checkpoint)
                val give = Command.ChangeSupplier(ChangeSupplier(h(2), SupplyRole.IMPORT, "SUP-A"))
                assertThrows(CommsHubOtaException.BadSignature::class.java) { supplier.execute("dcc", t(2), give) }
                supplier.signAs("dcc", key(A))
                val forged = assertThrows(CommsHubOtaException.BadSignature::class.java) { supplier.execute("dcc", t(2), give) }
                assertTrue(forged.reason.contains("is not a key of DCC's"), forged.reason)
                // Only a valid DCC key signs checkpoints.
                assertThrows(CommsHubOtaException.BadSignature::class.java) { supplier.checkpoint(t(2)) }
            }
            // Through SQL: a row recorded as the DCC's, chained with SHA-256 as the store chains.
            val head = dcc.lastSeq()
            val previous = dcc.storeInfo().lastHash
            val body = """{"schema":2,"seq":${head + 1},"at":"2026-01-03T09:00:00Z","actor":"dcc","payload":{"type":"supplier_changed","hub":"${h(2)}","role":"import","supplier":"SUP-A","flags":{}}}"""
            val digest = MessageDigest.getInstance("SHA-256").apply {
                update(previous.chunked(2).map { it.toInt(16).toByte() }.toByteArray())
                update(body.toByteArray())
            }.digest().joinToString("") { "%02x".format(it) }
            StoreTest.sql(loc, "INSERT INTO events (seq, at, actor, type, body, hash) VALUES (${head + 1}, '2026-01-03T09:00:00Z', 'dcc', 'supplier_changed', '$body', '$digest')")
            val refused = assertThrows(CommsHubOtaException.CorruptLog::class.java) { dcc.catchUp() }
            assertEquals(head + 1, refused.line)
            assertTrue(refused.reason.contains("is not signed"), refused.reason)
        }
        // Without its trust the store does not open at all.
        assertThrows(CommsHubOtaException.InvalidInput::class.java) { Engine.open(loc, 0) }
    }

    @ParameterizedTest
    @MethodSource("backends")
    fun `a held checkpoint detects a deleted tail and a forged snapshot is refused`(backend: String) {
        val loc = StoreTest.fresh(backend)
        val checkpoint = Engine.openSigned(loc, options(), key("dcc")).use { dcc ->
            prepare(dcc)
            dcc.snapshot()
            dcc.checkpoint(t(1))
        }
        // A byte of the snapshot's hub table changed and its SHA-256 recomputed, as a forger
        // would: the checksum is no defence, the host's signature is.
        if (loc.startsWith("postgres")) StoreTest.sql(loc, "UPDATE snapshots SET data = overlay(f placing sha256(substring(f from 1 for length(f) - 136)) from length(f) - 135 for 32) FROM (SELECT seq AS s, overlay(data placing '\\x07'::bytea from 90 for 1) AS f FROM snapshots) AS x WHERE seq = x.s")
        else flipSqliteSnapshotByte(loc, 89)
        val forged = assertThrows(CommsHubOtaException.CorruptSnapshot::class.java) { Engine.openSigned(loc, options(), key(A)) }
        assertTrue(forged.reason.contains("does not hold"), forged.reason)
        StoreTest.sql(loc, "DELETE FROM snapshots")
        StoreTest.sql(loc, "DELETE FROM meta WHERE key = 'checkpoint'")
        StoreTest.sql(loc, "DELETE FROM events WHERE seq > ${checkpoint.seq - 2}")
        Engine.openSigned(loc, options(), key(A)).use { reader ->
            val cut = assertThrows(CommsHubOtaException.CorruptLog::class.java) { reader.verifyCheckpoint(checkpoint) }
            assertEquals(checkpoint.seq, cut.line)
            assertTrue(cut.reason.contains("events were removed"), cut.reason)
        }
        // Another continuation, validly signed by the DCC, past the checkpoint: the swap is named.
        Engine.openSigned(loc, options(), key("dcc")).use { dcc ->
            dcc.signAs("dcc", key("dcc"))
            repeat(4) { dcc.execute("dcc", t(3), Command.RegisterKey(RegisterKey("customer:SUP-C", KeyPair.generate().publicKey()))) }
            assertTrue(dcc.lastSeq() >= checkpoint.seq)
            val swapped = assertThrows(CommsHubOtaException.CorruptLog::class.java) { dcc.verifyCheckpoint(checkpoint) }
            assertEquals(checkpoint.seq, swapped.line)
            assertTrue(swapped.reason.contains("replaced by another continuation"), swapped.reason)
        }
    }
}
