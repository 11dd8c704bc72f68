package commshub.ota

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir
import java.nio.file.Files
import java.nio.file.Path
import java.time.Duration
import java.time.Instant

class ApiTest {
    private val t0: Instant = Instant.parse("2026-01-01T09:00:00Z")
    private fun t(day: Long): Instant = t0.plus(Duration.ofDays(day))
    private val h2 = "00-00-00-00-00-00-00-02"

    private fun fixture(): Engine = Conformance.given(
        Engine(),
        Conformance.mapper.readTree(Conformance.testsDir.resolve("fixtures/two_regions.json").toFile()),
    )

    private fun row(id: String, variant: String = "CH-N-DB") = HubRow(
        id = id, variant = variant, firmware = "1.1", smiStatus = SmiStatus.COMMISSIONED,
        installedOn = "2024-01-01", commissionedOn = "2024-01-02",
        devices = listOf(HanDevice(HanDeviceKind.ESME, "EM-A1", "3.1")),
        importSupplier = "SUP-D", gasSupplier = null,
        importFlags = ConsumerFlags(false, false, false), gasFlags = ConsumerFlags(false, false, false),
    )

    /** Runs a call that must be refused with [T]; checks nothing was recorded. */
    private inline fun <reified T : CommsHubOtaException> refused(engine: Engine, crossinline call: () -> Unit): T {
        val before = engine.lastSeq()
        val e = assertThrows(T::class.java) { call() }
        assertEquals(before, engine.lastSeq(), "a refused call recorded events")
        return e
    }

    @Test
    fun `every error variant arrives as its typed exception with its fields`(@TempDir dir: Path): Unit = fixture().use { e ->
        e.createCampaign("dcc", t(1), "C1", "CH-N-DB", "2.0", t(60), null)

        val np = refused<CommsHubOtaException.NotPermitted>(e) { e.grantPilotOa("customer:SUP-A", t(2), "C1") }
        assertEquals("customer:SUP-A", np.actor)
        assertTrue(np.action.contains("grant pilot OA"))

        val it = refused<CommsHubOtaException.IllegalTransition>(e) { e.grantMassRolloutOa("dcc", t(2), "C1", null) }
        assertEquals(Triple("C1", "draft", "start_mass_rollout"), Triple(it.campaign, it.current, it.attempted))

        val nf = refused<CommsHubOtaException.NotFound>(e) { e.hub("customer:SUP-C", h2) }
        assertEquals("hub" to h2, nf.entity to nf.id)

        refused<CommsHubOtaException.AlreadyExists>(e) { e.createCampaign("dcc", t(2), "C1", "CH-N-DB", "2.0", t(60), null) }

        val pf = refused<CommsHubOtaException.PreconditionFailed>(e) { e.extendCutoff("dcc", t(2), "C1", "SUP-A", t(30)) }
        assertEquals("cutoff_not_later", pf.rule)

        val ii = refused<CommsHubOtaException.InvalidInput>(e) { e.cancelCampaign("dcc", t(2), "C1", " ") }
        assertEquals("reason", ii.field)

        val id = refused<CommsHubOtaException.InvalidId>(e) { e.commissionHub("dcc", t(2), "not-a-hub", "2026-01-02") }
        assertEquals("hub", id.idKind)
        assertEquals("not-a-hub", id.input)

        val br = refused<CommsHubOtaException.BulkRejected>(e) {
            e.loadEstate("dcc", t(2), listOf(row("0000000000000100"), row("0000000000000101", "NOPE"), row("nope")))
        }
        assertEquals(listOf(1L, 2L), br.rows.map { r -> r.row })

        val log = dir.resolve("log.jsonl")
        e.writeLog(log.toString())
        val lines = Files.readAllLines(log)
        Files.write(dir.resolve("corrupt.jsonl"), lines.take(3) + "{not json" + lines.drop(3))
        val cl = assertThrows(CommsHubOtaException.CorruptLog::class.java) { Engine.replayLog(dir.resolve("corrupt.jsonl").toString()) }
        assertEquals(4L, cl.line)
        Files.write(dir.resolve("newer.jsonl"), listOf(lines[0].replaceFirst("\"schema\":${schemaVersion()}", "\"schema\":9")) + lines.drop(1))
        val us = assertThrows(CommsHubOtaException.UnsupportedSchema::class.java) { Engine.replayLog(dir.resolve("newer.jsonl").toString()) }
        assertEquals(Triple(1L, 9L, schemaVersion()), Triple(us.line, us.found, us.supported))
        val io = assertThrows(CommsHubOtaException.Io::class.java) { Engine.replayLog(dir.resolve("missing/log.jsonl").toString()) }
        assertTrue(io.path.contains("missing"))
        assertThrows(CommsHubOtaException.Io::class.java) { e.writeLog(dir.resolve("missing/out.jsonl").toString()) }
        Engine.replayLog(log.toString()).use { replayed -> assertTrue(replayed.sameStateAs(e)) }
    }

    @Test
    fun `bad host input is a typed exception and changes nothing`(): Unit = fixture().use { e ->
        refused<CommsHubOtaException.InvalidInput>(e) { e.loadEstate("dcc", t(1), emptyList()) }
        refused<CommsHubOtaException.InvalidInput>(e) { e.commissionHub("dcc", t(1), "00-00-00-00-00-00-00-03", "2026-02-30") }
        refused<CommsHubOtaException.InvalidInput>(e) { e.createCampaign("dcc", Instant.MAX, "C9", "CH-N-DB", "2.0", t(60), null) }
        refused<CommsHubOtaException.InvalidInput>(e) { e.createCampaign("dcc", t(1), "C9", "CH-N-DB", "2.0", Instant.MIN, null) }
        refused<CommsHubOtaException.InvalidInput>(e) { e.events(-1) }
        refused<CommsHubOtaException.InvalidInput>(e) { e.executeJson("dcc", t(1), "{\"type\":\"grant_pilot_oa\"}") }
        refused<CommsHubOtaException.InvalidInput>(e) { e.executeJson("dcc", t(1), "not json") }
        refused<CommsHubOtaException.InvalidId>(e) { e.grantPilotOa("ofgem", t(1), "C1") }
        refused<CommsHubOtaException.InvalidId>(e) { e.hub("dcc", "00-DB-12") }
        val br = refused<CommsHubOtaException.BulkRejected>(e) {
            e.loadEstate("dcc", t(1), listOf(row("0000000000000100").copy(installedOn = "99999-01-01")))
        }
        assertTrue(br.rows.single().reason.contains("installed_on"))
    }

    @Test
    fun `views are typed and scoped`(): Unit = fixture().use { e ->
        val dcc = e.hub("dcc", h2)
        assertEquals(SupplierView.Known("SUP-B"), dcc.gasSupplier)
        assertTrue(dcc.splitSupply)
        val a = e.hub("customer:SUP-A", h2)
        assertEquals(SupplierView.Hidden, a.gasSupplier)
        assertEquals(null, a.gasFlags)
        assertEquals(SupplierView.Hidden, e.hub("csp:north", h2).importSupplier)
        assertEquals("CH-N-DB@1.0|esme:EM-A1@3.1|gsme:GM-K1@5.0|ihd:IHD-X@1.0", a.configurationSet.key)
        assertEquals(listOf("1.1", "2.0"), e.upgradeRoute("dcc", "CH-N-DB", "1.0", "2.0"))
        assertEquals(2, e.customerEstate("customer:SUP-A", "SUP-A").size)
        assertEquals(4L, e.configurationSets("dcc", null).sumOf { it.hubs })
        assertThrows(CommsHubOtaException.NotPermitted::class.java) { e.configurationSets("customer:SUP-A", null) }
        assertEquals(listOf("CH-N-DB"), e.variants("csp:north").map { it.id })
        assertEquals(null, e.firmwareVersions("customer:SUP-B", "CH-N-DB")[0].gates[2].by)
        assertEquals("00-DB-12-34-56-78-90-A0", parseId("hub_id", "00-db-12-34-56-78-90-a0"))
    }

    @Test
    fun `typed commands cover the estate and campaigns`(): Unit = fixture().use { e ->
        val hub = "00-00-00-00-00-00-01-00"
        e.installHub("dcc", t(1), row(hub).copy(smiStatus = SmiStatus.INSTALLED_NOT_COMMISSIONED, commissionedOn = null, importSupplier = "SUP-A"))
        e.commissionHub("dcc", t(1), hub, "2026-01-02")
        e.changeSmiStatus("dcc", t(2), hub, SmiStatus.SUSPENDED)
        e.changeHanDeviceFirmware("customer:SUP-A", t(2), hub, HanDeviceKind.ESME, "3.2")
        e.setConsumerFlags("customer:SUP-A", t(3), hub, SupplyRole.IMPORT, ConsumerFlags(false, true, false))
        e.changeSupplier("dcc", t(3), hub, SupplyRole.IMPORT, "SUP-B", ConsumerFlags(false, false, false))
        e.decommissionHub("dcc", t(4), hub, "2026-01-05")
        val view = e.hub("dcc", hub)
        assertEquals(SmiStatus.DECOMMISSIONED, view.smiStatus)
        assertEquals("3.2", view.configurationSet.devices.single { it.kind == HanDeviceKind.ESME }.firmware)

        e.createCampaign("dcc", t(5), "C1", "CH-N-DB", "2.0", t(60), null)
        e.grantPilotOa("dcc", t(6), "C1")
        e.suspendCampaign("dcc", t(7), "C1", "HAN drop-outs")
        assertEquals(Phase.PILOT, e.campaign("dcc", "C1").resumeTo)
        e.resumeCampaign("dcc", t(8), "C1")
        e.extendCutoff("dcc", t(8), "C1", "SUP-A", t(90))
        e.grantMassRolloutOa("dcc", t(9), "C1", null)
        e.completeCampaign("dcc", t(10), "C1")
        val c = e.campaign("customer:SUP-A", "C1")
        assertEquals(Phase.COMPLETED, c.phase)
        assertEquals(t(90), c.cutoffs.single().until)
        assertFalse(e.campaign("customer:SUP-B", "C1").history.any { it.change == "cutoff_extended" })
        e.createCampaign("dcc", t(11), "C2", "CH-N-DB", "2.0", t(60), null)
        e.cancelCampaign("dcc", t(11), "C2", "superseded")
        assertEquals(Phase.CANCELLED, e.campaign("dcc", "C2").phase)
        assertEquals(listOf("campaign_created", "campaign_phase_changed"), e.events(e.lastSeq() - 2).map { it.eventType })
    }

    @Test
    fun `catalogue commands`(): Unit = Engine().use { e ->
        e.registerVariant("dcc", t0, Variant("V-S", "Acme", "CH2", "C", HanBand.SINGLE_BAND, Region.SOUTH))
        assertThrows(CommsHubOtaException.NotPermitted::class.java) { e.registerFirmware("csp:north", t0, "V-S", "1.0", emptyList()) }
        e.registerFirmware("csp:south", t0, "V-S", "1.0", emptyList())
        val gate = assertThrows(CommsHubOtaException.PreconditionFailed::class.java) {
            e.recordGate("dcc", t0, "V-S", "1.0", Gate.DCC_TEST_APPROVED, null)
        }
        assertEquals("gate_order", gate.rule)
        e.recordGate("csp:south", t0, "V-S", "1.0", Gate.CSP_APPROVED, null)
        assertEquals("csp:south", e.firmwareVersions("dcc", "V-S")[0].gates[0].by)
    }

    @Test
    fun `a dictionary-encoded table loads, and a malformed one is refused naming the column`(): Unit = fixture().use { e ->
        val table = EstateTable(
            variants = listOf("CH-N-DB", "CH-S-SB"),
            firmwareVersions = listOf("1.1", "1.0"),
            customers = listOf("SUP-A", "SUP-D"),
            devices = listOf(DeviceProfile("EM-A1", "3.1")),
            dates = listOf("2024-01-01", "2024-01-02"),
            id = listOf("00-00-00-00-00-00-02-00", "00-00-00-00-00-00-02-01"),
            variant = listOf(0, 1),
            firmware = listOf(0, 1),
            smiStatus = listOf(SmiStatus.COMMISSIONED, SmiStatus.COMMISSIONED),
            installedOn = listOf(0, 0),
            commissionedOn = listOf(1, 1),
            importSupplier = listOf(1, 0),
            importFlags = listOf(ConsumerFlags(true, false, false), ConsumerFlags(false, false, false)),
            esme = listOf(0, 0),
        )
        val negative = refused<CommsHubOtaException.InvalidInput>(e) { e.loadEstateTable("dcc", t(1), table.copy(variant = listOf(0, -1))) }
        assertEquals("variant", negative.field)
        val past = refused<CommsHubOtaException.InvalidInput>(e) { e.loadEstateTable("dcc", t(1), table.copy(esme = listOf(0, 4))) }
        assertEquals("esme", past.field)
        assertTrue(past.reason.contains("row 1"), past.reason)
        val noDate = refused<CommsHubOtaException.InvalidInput>(e) { e.loadEstateTable("dcc", t(1), table.copy(installedOn = listOf(0, 2))) }
        assertEquals("installed_on", noDate.field)
        refused<CommsHubOtaException.InvalidId>(e) { e.loadEstateTable("dcc", t(1), table.copy(id = listOf("nope", "00-00-00-00-00-00-02-01"))) }
        val dup = refused<CommsHubOtaException.BulkRejected>(e) { e.loadEstateTable("dcc", t(1), table.copy(id = listOf(h2, "00-00-00-00-00-00-02-01"))) }
        assertEquals(listOf(0L), dup.rows.map { it.row })
        refused<CommsHubOtaException.NotPermitted>(e) { e.loadEstateTable("customer:SUP-A", t(1), table) }

        val seq = e.loadEstateTable("dcc", t(1), table)
        assertEquals(e.lastSeq(), seq)
        val hub = e.hub("dcc", "00-00-00-00-00-00-02-00")
        assertEquals("CH-N-DB", hub.variant)
        assertEquals(true, hub.importFlags?.vulnerable)
        assertEquals("1.0", e.hub("customer:SUP-A", "00-00-00-00-00-00-02-01").firmware)
    }

    @Test
    fun `a closed handle refuses further calls instead of crashing`() {
        val e = Engine()
        e.close()
        assertThrows(IllegalStateException::class.java) { e.lastSeq() }
    }
}
