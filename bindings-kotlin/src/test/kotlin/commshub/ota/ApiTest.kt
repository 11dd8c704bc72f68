package commshub.ota

import commshub.ota.model.*
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir
import java.nio.file.Files
import java.nio.file.Path
import java.time.Instant
import java.time.LocalDate

/** The binding's one command entry, its one query entry, the bulk loads and the log. */
class ApiTest {
    private val h2 = "00-00-00-00-00-00-00-02"

    private fun row(id: String, variant: String = "CH-N-DB") = HubInput(
        id = id, variant = variant, firmware = "1.1", smiStatus = SmiStatus.COMMISSIONED,
        installedOn = "2024-01-01", commissionedOn = "2024-01-02",
        devices = HanDevices(esme = HanDevice("EM-A1", "3.1")),
        importSupplier = "SUP-D",
    )

    private fun create(id: String, at: Instant = t(1)) =
        Command.CreateCampaign(CreateCampaign(id, "CH-N-DB", "2.0", t(60)))

    /** Runs a call that must be refused with [T]; checks nothing was recorded. */
    private inline fun <reified T : CommsHubOtaException> refused(engine: Engine, crossinline call: () -> Unit): T {
        val before = engine.lastSeq()
        val e = assertThrows(T::class.java) { call() }
        assertEquals(before, engine.lastSeq(), "a refused call recorded events")
        return e
    }

    @Test
    fun `every error variant arrives as its typed exception with its fields`(@TempDir dir: Path): Unit = fixture("two_regions.json").use { e ->
        e.execute("dcc", t(1), create("C1"))

        val np = refused<CommsHubOtaException.NotPermitted>(e) { e.execute("customer:SUP-A", t(2), Command.GrantPilotOa(GrantPilotOa("C1"))) }
        assertEquals("customer:SUP-A", np.actor)
        assertTrue(np.action.contains("grant pilot OA"))

        val it = refused<CommsHubOtaException.IllegalTransition>(e) { e.execute("dcc", t(2), Command.GrantMassRolloutOa(GrantMassRolloutOa("C1"))) }
        assertEquals(Triple("C1", Phase.DRAFT, Transition.START_MASS_ROLLOUT), Triple(it.campaign, it.current, it.attempted))

        val nf = refused<CommsHubOtaException.NotFound>(e) { e.query("customer:SUP-C", Query.Hub(h2)) }
        assertEquals(Entity.HUB to h2, nf.entity to nf.id)

        refused<CommsHubOtaException.AlreadyExists>(e) { e.execute("dcc", t(2), create("C1")) }

        val pf = refused<CommsHubOtaException.PreconditionFailed>(e) { e.execute("dcc", t(2), Command.ExtendCutoff(ExtendCutoff("C1", "SUP-A", t(30)))) }
        assertEquals(Rule.CUTOFF_NOT_LATER, pf.rule)

        val ii = refused<CommsHubOtaException.InvalidInput>(e) { e.execute("dcc", t(2), Command.CancelCampaign(CancelCampaign("C1", " "))) }
        assertEquals("reason", ii.field)

        // An identifier that does not parse is refused as the call's arguments are read.
        val id = refused<CommsHubOtaException.InvalidId>(e) { e.execute("dcc", t(2), Command.CommissionHub(CommissionHub("not-a-hub", LocalDate.parse("2026-01-02")))) }
        assertEquals(IdKind.HUB, id.idKind)
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
        Files.write(dir.resolve("newer.jsonl"), listOf(lines[0].replaceFirst("\"schema\":${CommsHubOta.schemaVersion()}", "\"schema\":9")) + lines.drop(1))
        val us = assertThrows(CommsHubOtaException.UnsupportedSchema::class.java) { Engine.replayLog(dir.resolve("newer.jsonl").toString()) }
        assertEquals(Triple(1L, 9L, CommsHubOta.schemaVersion()), Triple(us.line, us.found, us.supported))
        val io = assertThrows(CommsHubOtaException.Io::class.java) { Engine.replayLog(dir.resolve("missing/log.jsonl").toString()) }
        assertTrue(io.path.contains("missing"))
        assertThrows(CommsHubOtaException.Io::class.java) { e.writeLog(dir.resolve("missing/out.jsonl").toString()) }
        Engine.replayLog(log.toString()).use { replayed -> assertTrue(replayed.sameStateAs(e)) }
    }

    @Test
    fun `bad host input is a typed exception and changes nothing`(): Unit = fixture("two_regions.json").use { e ->
        refused<CommsHubOtaException.InvalidInput>(e) { e.loadEstate("dcc", t(1), emptyList()) }
        refused<CommsHubOtaException.InvalidInput>(e) { e.execute("dcc", Instant.MAX, create("C9")) }
        refused<CommsHubOtaException.InvalidInput>(e) {
            e.execute("dcc", t(1), Command.CreateCampaign(CreateCampaign("C9", "CH-N-DB", "2.0", Instant.MIN)))
        }
        refused<CommsHubOtaException.InvalidInput>(e) { e.events(-1) }
        refused<CommsHubOtaException.InvalidInput>(e) { e.journalLines(-1) }
        refused<CommsHubOtaException.InvalidInput>(e) { e.executeJson("dcc", t(1), "{\"type\":\"grant_pilot_oa\"}") }
        refused<CommsHubOtaException.InvalidInput>(e) { e.executeJson("dcc", t(1), "not json") }
        refused<CommsHubOtaException.InvalidId>(e) { e.execute("ofgem", t(1), Command.GrantPilotOa(GrantPilotOa("C1"))) }
        refused<CommsHubOtaException.InvalidId>(e) { e.query("dcc", Query.Hub("00-DB-12")) }
        val br = refused<CommsHubOtaException.BulkRejected>(e) {
            e.loadEstate("dcc", t(1), listOf(row("0000000000000100").copy(installedOn = "99999-01-01")))
        }
        assertTrue(br.rows.single().reason.contains("installed_on"))
    }

    @Test
    fun `answers are typed and scoped`(): Unit = fixture("two_regions.json").use { e ->
        val dcc = e.ask<Answer.Hub>("dcc", Query.Hub(h2)).v1
        assertEquals(SupplierView.Known("SUP-B"), dcc.gasSupplier)
        assertTrue(dcc.splitSupply)
        val a = e.ask<Answer.Hub>("customer:SUP-A", Query.Hub(h2)).v1
        assertEquals(SupplierView.Hidden, a.gasSupplier)
        assertEquals(null, a.gasFlags)
        assertEquals(SupplierView.Hidden, e.ask<Answer.Hub>("csp:north", Query.Hub(h2)).v1.importSupplier)
        assertEquals("CH-N-DB@1.0|esme:EM-A1@3.1|gsme:GM-K1@5.0|ihd:IHD-X@1.0", a.configurationSet.key())
        assertEquals(listOf("1.1", "2.0"), e.ask<Answer.Versions>("dcc", Query.UpgradeRoute("CH-N-DB", "1.0", "2.0")).v1)
        assertEquals(2, e.ask<Answer.Hubs>("customer:SUP-A", Query.CustomerEstate("SUP-A")).v1.size)
        assertEquals(4L, e.ask<Answer.ConfigurationSets>("dcc", Query.ConfigurationSets(null)).v1.sumOf { it.hubs })
        assertThrows(CommsHubOtaException.NotPermitted::class.java) { e.query("customer:SUP-A", Query.ConfigurationSets(null)) }
        assertEquals(listOf("CH-N-DB"), e.ask<Answer.Variants>("csp:north", Query.Variants).v1.map { it.id })
        val tested = e.ask<Answer.FirmwareVersions>("customer:SUP-B", Query.FirmwareVersions("CH-N-DB")).v1[0]
        assertEquals("dcc", tested.gates[2].by)
        assertEquals(listOf("SUP-B" to TestResult.PASSED), tested.testFeedback.map { it.customer to it.result })
        assertEquals("00-DB-12-34-56-78-90-A0", CommsHubOta.parseId("hub_id", "00-db-12-34-56-78-90-a0"))
    }

    @Test
    fun `commands cover the estate and campaigns`(): Unit = fixture("two_regions.json").use { e ->
        val hub = "00-00-00-00-00-00-01-00"
        val none = ConsumerFlags()
        e.execute("dcc", t(1), Command.InstallHub(InstallHub(HubRow(
            hub, "CH-N-DB", "1.1", SmiStatus.INSTALLED_NOT_COMMISSIONED, HanDevices(esme = HanDevice("EM-A1", "3.1")),
            importSupplier = "SUP-A", installedOn = LocalDate.parse("2024-01-01"),
        ))))
        e.execute("dcc", t(1), Command.CommissionHub(CommissionHub(hub, LocalDate.parse("2026-01-02"))))
        e.execute("dcc", t(2), Command.ChangeSmiStatus(ChangeSmiStatus(hub, SmiStatus.SUSPENDED)))
        e.execute("customer:SUP-A", t(2), Command.ChangeHanDeviceFirmware(ChangeHanDeviceFirmware(hub, HanDeviceKind.ESME, "3.2")))
        e.execute("customer:SUP-A", t(3), Command.SetConsumerFlags(SetConsumerFlags(hub, SupplyRole.IMPORT, none.copy(highRisk = true))))
        e.execute("dcc", t(3), Command.ChangeSupplier(ChangeSupplier(hub, SupplyRole.IMPORT, "SUP-B")))
        e.execute("dcc", t(4), Command.DecommissionHub(DecommissionHub(hub, LocalDate.parse("2026-01-05"))))
        val view = e.ask<Answer.Hub>("dcc", Query.Hub(hub)).v1
        assertEquals(SmiStatus.DECOMMISSIONED, view.smiStatus)
        assertEquals("3.2", view.configurationSet.devices.esme?.firmware)

        e.execute("dcc", t(5), create("C1"))
        e.execute("dcc", t(6), Command.GrantPilotOa(GrantPilotOa("C1")))
        e.execute("dcc", t(7), Command.SuspendCampaign(SuspendCampaign("C1", "HAN drop-outs")))
        assertEquals(Phase.PILOT, e.ask<Answer.Campaign>("dcc", Query.Campaign("C1")).v1.resumeTo)
        e.execute("dcc", t(8), Command.ResumeCampaign(ResumeCampaign("C1")))
        e.execute("dcc", t(8), Command.ExtendCutoff(ExtendCutoff("C1", "SUP-A", t(90))))
        // After the default 14 days' assessment from the pilot's start on day 6.
        e.execute("dcc", t(20), Command.GrantMassRolloutOa(GrantMassRolloutOa("C1", null)))
        e.execute("dcc", t(21), Command.CompleteCampaign(CompleteCampaign("C1")))
        val c = e.ask<Answer.Campaign>("customer:SUP-A", Query.Campaign("C1")).v1
        assertEquals(Phase.COMPLETED, c.phase)
        assertEquals(t(90), c.cutoffs.single().until)
        assertFalse(e.ask<Answer.Campaign>("customer:SUP-B", Query.Campaign("C1")).v1.history.any { it.change is CampaignChange.CutoffExtended })
        e.execute("dcc", t(22), create("C2"))
        e.execute("dcc", t(22), Command.CancelCampaign(CancelCampaign("C2", "superseded")))
        assertEquals(Phase.CANCELLED, e.ask<Answer.Campaign>("dcc", Query.Campaign("C2")).v1.phase)
        val last = e.events(e.lastSeq() - 2)
        assertEquals(listOf("campaign_created", "campaign_phase_changed"), last.map { it.eventType })
        assertTrue(last[0].payload is EventPayload.CampaignCreated)
    }

    @Test
    fun `catalogue commands`(): Unit = Engine().use { e ->
        e.execute("dcc", t(0), Command.RegisterVariant(RegisterVariant(Variant("V-S", "Acme", "CH2", "C", HanBand.SINGLE_BAND, Region.SOUTH))))
        val firmware = Command.RegisterFirmware(RegisterFirmware("V-S", "1.0"))
        assertThrows(CommsHubOtaException.NotPermitted::class.java) { e.execute("csp:north", t(0), firmware) }
        e.execute("csp:south", t(0), firmware)
        val gate = assertThrows(CommsHubOtaException.PreconditionFailed::class.java) {
            e.execute("dcc", t(0), Command.RecordGate(RecordGate("V-S", "1.0", Gate.DCC_TEST_APPROVED)))
        }
        assertEquals(Rule.GATE_ORDER, gate.rule)
        e.execute("csp:south", t(0), Command.RecordGate(RecordGate("V-S", "1.0", Gate.CSP_APPROVED)))
        assertEquals("csp:south", e.ask<Answer.FirmwareVersions>("dcc", Query.FirmwareVersions("V-S")).v1[0].gates[0].by)
    }

    @Test
    fun `a dictionary-encoded table loads, and a malformed one is refused naming the column`(): Unit = fixture("two_regions.json").use { e ->
        val table = EstateTableInput(
            variants = listOf("CH-N-DB", "CH-S-SB"),
            firmwareVersions = listOf("1.1", "1.0"),
            customers = listOf("SUP-A", "SUP-D"),
            devices = listOf(HanDevice("EM-A1", "3.1")),
            dates = listOf("2024-01-01", "2024-01-02"),
            id = listOf("00-00-00-00-00-00-02-00", "00-00-00-00-00-00-02-01"),
            variant = listOf(0, 1),
            firmware = listOf(0, 1),
            smiStatus = listOf(SmiStatus.COMMISSIONED, SmiStatus.COMMISSIONED),
            installedOn = listOf(0, 0),
            commissionedOn = listOf(1, 1),
            importSupplier = listOf(1, 0),
            importFlags = listOf(ConsumerFlags(vulnerable = true), ConsumerFlags()),
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
        val hub = e.ask<Answer.Hub>("dcc", Query.Hub("00-00-00-00-00-00-02-00")).v1
        assertEquals("CH-N-DB", hub.variant)
        assertEquals(true, hub.importFlags?.vulnerable)
        assertEquals("1.0", e.ask<Answer.Hub>("customer:SUP-A", Query.Hub("00-00-00-00-00-00-02-01")).v1.firmware)

        // The recorded event carries the table in the same JVM form (codes signed, dates a
        // dictionary): loaded again into the world before the load, it gives the same state.
        val recorded = (e.events(seq - 1).single().payload as EventPayload.EstateLoaded).v1.table
        assertEquals(table.id, recorded.id)
        assertEquals(listOf("2024-01-01", "2024-01-02"), recorded.dates)
        fixture("two_regions.json").use { again ->
            again.loadEstateTable("dcc", t(1), recorded)
            assertTrue(again.sameStateAs(e))
        }
    }

    @Test
    fun `the journal streams as the log writes it`(): Unit = fixture("two_regions.json").use { e ->
        val before = e.lastSeq()
        e.execute("dcc", t(1), create("C1"))
        val line = Conformance.mapper.readTree(e.journalLines(before).single())
        assertEquals(before + 1, line.get("seq").asLong())
        assertEquals("campaign_created", line.get("payload").get("type").asText())
    }

    @Test
    fun `a closed handle refuses further calls instead of crashing`() {
        val e = Engine()
        e.close()
        assertThrows(IllegalStateException::class.java) { e.lastSeq() }
    }
}
