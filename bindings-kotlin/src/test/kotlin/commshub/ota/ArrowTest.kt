package commshub.ota

import commshub.ota.model.*
import org.apache.arrow.memory.RootAllocator
import org.apache.arrow.vector.BitVector
import org.apache.arrow.vector.VarCharVector
import org.apache.arrow.vector.UInt8Vector
import org.apache.arrow.vector.BigIntVector
import org.apache.arrow.vector.VectorSchemaRoot
import org.apache.arrow.vector.ipc.ArrowStreamReader
import org.apache.arrow.vector.ipc.ArrowStreamWriter
import org.apache.arrow.vector.types.pojo.ArrowType
import org.apache.arrow.vector.types.pojo.Field
import org.apache.arrow.vector.types.pojo.Schema
import java.io.ByteArrayOutputStream
import org.apache.arrow.vector.dictionary.DictionaryEncoder
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.io.ByteArrayInputStream

/** Columnar answers as Arrow IPC stream bytes, read with Arrow Java (issue 14). */
class ArrowTest {
    private fun rolling(): Engine {
        val e = fixture("rollout_estate.json")
        e.execute("dcc", t(1), Command.CreateCampaign(CreateCampaign("C2", "CH-N-DB", "2.0", t(59), CampaignPolicy())))
        e.execute("dcc", t(2), Command.GrantPilotOa(GrantPilotOa("C2")))
        listOf("customer:SUP-A", "customer:SUP-D").forEach { e.execute(it, t(2), Command.ApproveWholeEstate(ApproveWholeEstate("C2"))) }
        return e
    }

    /** Every row of the stream as column -> text (dictionary columns decoded). */
    private fun rows(bytes: ByteArray): List<Map<String, String?>> {
        val out = mutableListOf<Map<String, String?>>()
        RootAllocator().use { allocator ->
            ArrowStreamReader(ByteArrayInputStream(bytes), allocator).use { reader ->
                val root = reader.vectorSchemaRoot
                while (reader.loadNextBatch()) {
                    val columns = root.fieldVectors.associate { v ->
                        val encoding = v.field.dictionary
                        val decoded = if (encoding != null) DictionaryEncoder.decode(v, reader.dictionaryVectors[encoding.id]) else v
                        v.name to decoded
                    }
                    for (i in 0 until root.rowCount) {
                        // A hub is its EUI-64's 64 bits: shown as its text, as the views show it.
                        out += columns.mapValues { (name, v) ->
                            if (name == "hub" && v is UInt8Vector) (if (v.isNull(i)) null else CommsHubOta.hubText(v.get(i))) else v.getObject(i)?.toString()
                        }
                    }
                    columns.forEach { (name, v) -> if (root.getVector(name) !== v) v.close() }
                }
            }
        }
        return out
    }

    @Test
    fun `the retirement evidence as rows, a phase's figures side by side`(): Unit = rolling().use { e ->
        val run = { n: Int, ok: Boolean ->
            if (ok) listOf(Outcome.Dispatched, Outcome.Delivered, Outcome.Activated, Outcome.ReadBack("2.0")).map { OutcomeReport(h(n), it) }
            else listOf(OutcomeReport(h(n), Outcome.Dispatched), OutcomeReport(h(n), Outcome.DeliveryFailed("no ack")))
        }
        e.execute("csp:north", t(3), Command.ReportOutcomes(ReportOutcomes("C2", run(0x10, true) + run(0x11, false))))
        e.execute("dcc", t(4), Command.GrantMassRolloutOa(GrantMassRolloutOa("C2", "no verdicts: the evidence test")))
        e.execute("csp:north", t(5), Command.ReportOutcomes(ReportOutcomes("C2", run(0x12, false) + run(0x16, false) + run(0x17, true))))
        val rows = rows(e.queryArrow("dcc", ColumnarQuery.RetirementEvidence()))
        assertEquals(listOf("untested" to "0", "caught" to "2"), rows.map { it["finding"] to it["pilot_hubs"] })
        assertEquals(listOf("caught"), rows(e.queryArrow("customer:SUP-A", ColumnarQuery.RetirementEvidence())).map { it["finding"] })
    }

    @Test
    fun `the upgrade list as Arrow is the paged list whole`(): Unit = rolling().use { e ->
        val page = e.ask<Answer.UpgradePage>("csp:north", Query.UpgradeList(Region.NORTH, t(3), 0L, 100_000L)).v1
        val rows = rows(e.queryArrow("csp:north", ColumnarQuery.UpgradeList(Region.NORTH, t(3))))
        assertEquals(page.total.toInt(), rows.size)
        assertTrue(rows.size > 3)
        rows.zip(page.entries).forEach { (row, entry) ->
            assertEquals(entry.hub, row["hub"])
            assertEquals(entry.campaign, row["campaign"])
            assertEquals(entry.nextVersion, row["next_version"])
            assertEquals(entry.target, row["target"])
            assertEquals(entry.nominated.toString(), row["nominated"])
        }
        assertThrows(CommsHubOtaException.NotPermitted::class.java) { e.queryArrow("customer:SUP-A", ColumnarQuery.UpgradeList(Region.NORTH, t(3))) }
        assertEquals(0, rows(e.queryArrow("dcc", ColumnarQuery.UpgradeList(Region.SOUTH, t(3)))).size)
    }

    @Test
    fun `hub ids are 64-bit integers in every answer, their text one call away`(): Unit = rolling().use { e ->
        val page = e.ask<Answer.UpgradePage>("csp:north", Query.UpgradeList(Region.NORTH, t(3), 0L, 100_000L)).v1
        RootAllocator().use { allocator ->
            ArrowStreamReader(ByteArrayInputStream(e.queryArrow("csp:north", ColumnarQuery.UpgradeList(Region.NORTH, t(3)))), allocator).use { reader ->
                assertTrue(reader.loadNextBatch())
                val hub = reader.vectorSchemaRoot.getVector("hub")
                assertEquals(ArrowType.Int(64, false), hub.field.type)
                val ids = (0 until reader.vectorSchemaRoot.rowCount).map { (hub as UInt8Vector).get(it) }
                assertEquals(page.entries.map { CommsHubOta.hubNumber(it.hub) }, ids)
            }
            ArrowStreamReader(ByteArrayInputStream(e.queryArrow("csp:north", ColumnarQuery.UpgradeList(Region.NORTH, t(3)), hubText = true)), allocator).use { reader ->
                assertTrue(reader.loadNextBatch())
                val hub = reader.vectorSchemaRoot.getVector("hub") as VarCharVector
                assertEquals(page.entries.map { it.hub }, (0 until reader.vectorSchemaRoot.rowCount).map { String(hub.get(it)) })
            }
        }
        // The top bit set: a negative long, the same id.
        assertEquals("FF-00-00-00-00-00-00-01", CommsHubOta.hubText(CommsHubOta.hubNumber("ff-00-00-00-00-00-00-01")))
        assertTrue(CommsHubOta.hubNumber("FF-00-00-00-00-00-00-01") < 0)
        assertThrows(CommsHubOtaException.InvalidId::class.java) { CommsHubOta.hubNumber("not-a-hub") }
    }

    @Test
    fun `an estate loads from hub ids as 64-bit integers, as the answers give them`(): Unit = fixture("rollout_estate.json").use { e ->
        val ids = listOf("00-00-00-00-00-00-00-40", "80-00-00-00-00-00-00-41")
        val bytes = ipc(hubs(ids)) { allocator ->
            BigIntVector("id", allocator).also { v ->
                v.allocateNew(ids.size)
                ids.forEachIndexed { i, id -> v.set(i, CommsHubOta.hubNumber(id)) }
                v.valueCount = ids.size
            }
        }
        val before = e.hubCount()
        e.loadEstateArrow("dcc", t(1), bytes)
        assertEquals(before + 2, e.hubCount())
        assertEquals(ids[1], e.ask<Answer.Hub>("dcc", Query.Hub(ids[1])).v1.id)
    }

    @Test
    fun `a customer's estate as Arrow hides the other supplier`(): Unit = rolling().use { e ->
        val views = e.ask<Answer.Hubs>("customer:SUP-A", Query.CustomerEstate("SUP-A")).v1
        val rows = rows(e.queryArrow("customer:SUP-A", ColumnarQuery.CustomerEstate("SUP-A")))
        assertEquals(views.map { it.id }, rows.map { it["hub"] })
        val split = rows.filter { it["split_supply"] == "true" }
        assertTrue(split.isNotEmpty())
        assertTrue(split.all { it["gas_visibility"] == "hidden" && it["gas_supplier"] == null && it["gas_vulnerable"] == null })
        assertThrows(CommsHubOtaException.NotPermitted::class.java) { e.queryArrow("customer:SUP-A", ColumnarQuery.CustomerEstate("SUP-D")) }
        assertThrows(CommsHubOtaException.InvalidId::class.java) { e.queryArrow("customer:SUP-A", ColumnarQuery.CustomerEstate("")) }
    }

    /** The rolling fixture with hub 0x10 upgraded to 2.0 and hub 0x15's delivery failed. */
    private fun dispatched(): Engine {
        val e = rolling()
        val ok = listOf(Outcome.Dispatched, Outcome.Delivered, Outcome.Activated, Outcome.ReadBack("2.0")).map { OutcomeReport(h(0x10), it) }
        val fail = listOf(OutcomeReport(h(0x15), Outcome.Dispatched), OutcomeReport(h(0x15), Outcome.DeliveryFailed("no ack")))
        e.execute("csp:north", t(3), Command.ReportOutcomes(ReportOutcomes("C2", ok + fail)))
        return e
    }

    @Test
    fun `the DPL and firmware counts as Arrow are the row answers`(): Unit = dispatched().use { e ->
        for ((who, customer) in listOf("customer:SUP-A" to "SUP-A", "customer:SUP-D" to "SUP-D", "dcc" to null)) {
            val sets = e.ask<Answer.ConfigurationSets>(who, Query.ConfigurationSets(customer)).v1
            val rows = rows(e.queryArrow(who, ColumnarQuery.ConfigurationSets(customer)))
            assertEquals(sets.map { it.configurationSet.key() }, rows.map { it["configuration_set"] })
            assertEquals(sets.map { it.hubs.toString() }, rows.map { it["hubs"] })
            val byFirmware = e.ask<Answer.EstateByFirmware>(who, Query.EstateByFirmware(customer)).v1
            val fw = rows(e.queryArrow(who, ColumnarQuery.EstateByFirmware(customer)))
            assertEquals(byFirmware.map { listOf(it.variant, it.version, it.hubs.toString()) }, fw.map { listOf(it["variant"], it["version"], it["hubs"]) })
        }
        assertTrue(rows(e.queryArrow("customer:SUP-A", ColumnarQuery.ConfigurationSets("SUP-A"))).any { it["firmware"] == "2.0" })
        assertThrows(CommsHubOtaException.NotPermitted::class.java) { e.queryArrow("customer:SUP-A", ColumnarQuery.ConfigurationSets(null)) }
        assertThrows(CommsHubOtaException.NotPermitted::class.java) { e.queryArrow("csp:north", ColumnarQuery.EstateByFirmware("SUP-A")) }
    }

    @Test
    fun `the DPL's history as Arrow is the typed history, a row per day and set`(): Unit = dispatched().use { e ->
        val from = java.time.LocalDate.parse("2026-01-01")
        val to = java.time.LocalDate.parse("2026-01-04")
        val typed = e.ask<Answer.DplHistory>("customer:SUP-A", Query.DplHistory("SUP-A", from, to)).v1
        val rows = rows(e.queryArrow("customer:SUP-A", ColumnarQuery.DplHistory("SUP-A", from, to)))
        assertEquals(typed.flatMap { d -> d.sets.map { listOf(d.day.toEpochDay().toString(), it.label, it.hubs.toString()) } },
            rows.map { listOf(it["day"], it["label"], it["hubs"]) })
        // (Arrow Java reads a Date32 as days since 1970.) Shares: nothing passes at this size, so no row.
        assertEquals(0, rows(e.queryArrow("customer:SUP-A", ColumnarQuery.IndustryShares(from, to))).size)
        assertThrows(CommsHubOtaException.NotPermitted::class.java) { e.queryArrow("customer:SUP-A", ColumnarQuery.DplHistory(null, from, to)) }
    }

    @Test
    fun `campaign progress and attempts as Arrow are scoped as the row answers`(): Unit = dispatched().use { e ->
        for (who in listOf("dcc", "csp:north", "customer:SUP-A", "customer:SUP-D")) {
            val progress = e.ask<Answer.Progress>(who, Query.CampaignProgress("C2", t(3))).v1
            val rows = rows(e.queryArrow(who, ColumnarQuery.CampaignProgress("C2", t(3))))
            assertEquals(progress.map { it.set.key() }, rows.map { it["configuration_set"] })
            assertEquals(progress.map { "${it.succeeded}/${it.failed}/${it.upgradeableNow}" }, rows.map { "${it["succeeded"]}/${it["failed"]}/${it["upgradeable_now"]}" })
        }
        val attempts = rows(e.queryArrow("dcc", ColumnarQuery.CampaignAttempts("C2")))
        assertEquals(listOf(h(0x10), h(0x15)), attempts.map { it["hub"] })
        assertEquals(listOf("succeeded", "failed"), attempts.map { it["state"] })
        assertEquals(listOf(null, "delivery_failed"), attempts.map { it["failure"] })
        assertEquals(listOf("0", "1"), attempts.map { it["attempts"] })
        assertEquals(listOf(h(0x10)), rows(e.queryArrow("customer:SUP-A", ColumnarQuery.CampaignAttempts("C2"))).map { it["hub"] })
        assertEquals(2, rows(e.queryArrow("csp:north", ColumnarQuery.CampaignAttempts("C2"))).size)
        assertThrows(CommsHubOtaException.NotFound::class.java) { e.queryArrow("csp:south", ColumnarQuery.CampaignAttempts("C2")) }
        assertThrows(CommsHubOtaException.NotFound::class.java) { e.queryArrow("dcc", ColumnarQuery.CampaignProgress("C9", t(3))) }
    }

    @Test
    fun `bulk explain as Arrow is explain for every hub, one row a blocker`(): Unit = dispatched().use { e ->
        for (who in listOf("dcc", "csp:north", "customer:SUP-A")) {
            val rows = rows(e.queryArrow(who, ColumnarQuery.Blockers("C2", t(3))))
            val want = (listOf(1, 2, 3) + (0x10..0x20)).flatMap { n ->
                val x = try {
                    e.ask<Answer.Explanation>(who, Query.Explain("C2", h(n), t(3))).v1
                } catch (_: CommsHubOtaException.NotFound) {
                    return@flatMap emptyList()
                }
                x.blockers.map { h(n) to it::class.simpleName }
            }
            // The blocker's name is the Kotlin variant's, in snake case.
            val snake = { name: String? -> name!!.replace(Regex("([a-z])([A-Z])"), "$1_$2").lowercase() }
            assertEquals(want.map { (hub, kind) -> hub to snake(kind) }, rows.map { it["hub"] to it["blocker"] }, who)
        }
        val split = rows(e.queryArrow("customer:SUP-A", ColumnarQuery.Blockers("C2", t(3)))).filter { it["hub"] == h(0x20) }
        assertEquals(listOf("awaiting_consent" to "other_supplier"), split.map { it["blocker"] to it["by"] })
        assertTrue(rows(e.queryArrow("dcc", ColumnarQuery.Blockers("C2", t(3)))).any { it["by"] == "customer" && it["by_customer"] == "SUP-E" })
        assertTrue(split.all { it["by_customer"] == null })
        assertThrows(CommsHubOtaException.NotFound::class.java) { e.queryArrow("csp:south", ColumnarQuery.Blockers("C2", t(3))) }
    }

    @Test
    fun `a rule's dry run as Arrow is the typed dry run, a row per hub`(): Unit = rolling().use { e ->
        val d = "customer:SUP-D"
        val reject = RuleSpec(name = "reject Y", trigger = RuleTrigger.CampaignCreated,
            condition = "esme.model == \"EM-B2\"", action = RuleAction.Reject("wait"))
        val typed = e.ask<Answer.DryRun>(d, Query.DryRunRule(reject, t(3))).v1
        val rows = rows(e.queryArrow(d, ColumnarQuery.DryRunRule(reject, t(3))))
        // SUP-D's hubs 16-19 are on set Y: each a row, reached through the set, in campaign C2.
        assertEquals(typed.counts.sumOf { it.hubs + it.hubsInSets }, rows.size.toLong())
        assertEquals((0x16..0x19).map { h(it) }, rows.map { it["hub"] })
        assertTrue(rows.all { it["act"] == "rejected" && it["campaign"] == "C2" && it["by_set"] == "true" && it["text"] == "wait" }, rows.toString())
        // The DCC's cut-off rule concerns no hub: a row for the cut-off, one per named customer.
        val cut = RuleSpec(name = "cut-offs", trigger = RuleTrigger.CampaignCreated, condition = "",
            action = RuleAction.SetCutoffs(30, listOf(CutoffExtra("SUP-D", 14))))
        val dcc = rows(e.queryArrow("dcc", ColumnarQuery.DryRunRule(cut, t(3))))
        assertEquals(listOf(null, "SUP-D"), dcc.map { it["customer"] })
        assertTrue(dcc.all { it["act"] == "cutoffs_set" && it["hub"] == null })
        // Refused as saving it would be.
        val bad = RuleSpec(name = "bad", trigger = RuleTrigger.CampaignCreated, condition = "esme.nope", action = RuleAction.Approve)
        assertThrows(CommsHubOtaException.InvalidCondition::class.java) { e.queryArrow(d, ColumnarQuery.DryRunRule(bad, t(3))) }
        assertThrows(CommsHubOtaException.NotPermitted::class.java) { e.queryArrow(d, ColumnarQuery.DryRunRule(cut, t(3))) }
    }

    @Test
    fun `the events as Arrow page the log for the DCC only`(): Unit = dispatched().use { e ->
        val first = rows(e.queryArrow("dcc", ColumnarQuery.Events(0, 5)))
        assertEquals(listOf("1", "2", "3", "4", "5"), first.map { it["seq"] })
        assertEquals(5, first.size)
        assertTrue(first.all { it["actor"] != null && it["body"]!!.contains("\"seq\":${it["seq"]},") })
        val rest = rows(e.queryArrow("dcc", ColumnarQuery.Events(5, 100_000)))
        assertEquals("6", rest.first()["seq"])
        assertTrue(rest.any { it["kind"] == "outcomes_reported" })
        assertEquals(0, rows(e.queryArrow("dcc", ColumnarQuery.Events(100_000, 10))).size)
        assertThrows(CommsHubOtaException.NotPermitted::class.java) { e.queryArrow("customer:SUP-A", ColumnarQuery.Events(0, 10)) }
        listOf(0L, 100_001L, -1L).forEach { limit ->
            assertThrows(CommsHubOtaException.InvalidInput::class.java) { e.queryArrow("dcc", ColumnarQuery.Events(0, limit)) }
        }
        assertThrows(CommsHubOtaException.InvalidInput::class.java) { e.queryArrow("dcc", ColumnarQuery.Events(-1, 10)) }
    }

    /**
     * Text columns (each a list of cells, null for a missing one) as one Arrow IPC stream;
     * [id], if given, replaces the `id` column (a column of another type).
     */
    private fun ipc(columns: Map<String, List<String?>>, id: ((RootAllocator) -> org.apache.arrow.vector.FieldVector)? = null): ByteArray {
        val out = ByteArrayOutputStream()
        RootAllocator().use { allocator ->
            val text = columns.filterKeys { id == null || it != "id" }.map { (name, cells) ->
                VarCharVector(name, allocator).also { v ->
                    v.allocateNew()
                    cells.forEachIndexed { row, cell -> if (cell == null) v.setNull(row) else v.setSafe(row, cell.toByteArray()) }
                    v.valueCount = cells.size
                }
            }
            val vectors: List<org.apache.arrow.vector.FieldVector> = listOfNotNull(id?.invoke(allocator)) + text
            VectorSchemaRoot(vectors).use { root ->
                root.rowCount = columns.values.first().size
                ArrowStreamWriter(root, null, out).use { w -> w.start(); w.writeBatch(); w.end() }
            }
        }
        return out.toByteArray()
    }

    private fun hubs(ids: List<String>, variant: List<String> = ids.map { "CH-N-DB" }) = mapOf(
        "id" to ids,
        "variant" to variant,
        "firmware" to ids.map { "1.1" },
        "smi_status" to ids.map { "commissioned" },
        "installed_on" to ids.map { "2024-03-01" },
        "commissioned_on" to ids.map { "2024-03-02" },
        "import_supplier" to ids.map { "SUP-A" },
        "esme_model" to ids.map { "EM-A1" },
        "esme_firmware" to ids.map { "3.1" },
    )

    @Test
    fun `an estate loads from Arrow IPC with the same row errors as every language`(): Unit = fixture("two_regions.json").use { e ->
        val seq = e.loadEstateArrow("dcc", t(1), ipc(hubs(listOf(h(0x40), h(0x41)))))
        assertTrue(seq > 0)
        val hub = e.ask<Answer.Hub>("customer:SUP-A", Query.Hub(h(0x41))).v1
        assertEquals("1.1", hub.firmware)
        // A bad id in row 1 and an unknown variant in row 2: both rows named, nothing loaded.
        val bad = assertThrows(CommsHubOtaException.BulkRejected::class.java) {
            e.loadEstateArrow("dcc", t(2), ipc(hubs(listOf(h(0x42), "not-a-hub", h(0x43)), listOf("CH-N-DB", "CH-N-DB", "NOPE"))))
        }
        assertEquals(listOf(1L, 2L), bad.rows.map { it.row })
        assertThrows(CommsHubOtaException.NotFound::class.java) { e.query("dcc", Query.Hub(h(0x42))) }
        assertThrows(CommsHubOtaException.NotPermitted::class.java) { e.loadEstateArrow("customer:SUP-A", t(2), ipc(hubs(listOf(h(0x44))))) }
        val notIpc = assertThrows(CommsHubOtaException.InvalidInput::class.java) { e.loadEstateArrow("dcc", t(2), byteArrayOf(1, 2, 3)) }
        assertEquals("arrow", notIpc.field)
        val unknown = assertThrows(CommsHubOtaException.InvalidInput::class.java) {
            e.loadEstateArrow("dcc", t(2), ipc(hubs(listOf(h(0x45))) + ("colour" to listOf("red"))))
        }
        assertTrue(unknown.message!!.contains("colour"), unknown.message)
    }

    @Test
    fun `a columnar question as JSON is the same question, and a bad one is refused by name`(): Unit = dispatched().use { e ->
        val typed = rows(e.queryArrow("dcc", ColumnarQuery.UpgradeList(Region.NORTH, t(3))))
        val json = rows(e.queryArrowJson("dcc", """{"name":"upgrade_list","region":"north","at":"${t(3)}"}"""))
        assertEquals(typed, json)
        assertEquals(rows(e.queryArrow("dcc", ColumnarQuery.Events(0, 3))), rows(e.queryArrowJson("dcc", """{"name":"events","limit":3}""")))
        val unknown = assertThrows(CommsHubOtaException.InvalidInput::class.java) { e.queryArrowJson("dcc", """{"name":"upgrade_lists"}""") }
        assertTrue(unknown.message!!.contains("upgrade_lists"), unknown.message)
        assertThrows(CommsHubOtaException.InvalidInput::class.java) { e.queryArrowJson("dcc", "not json") }
    }

    @Test
    fun `a customer's estate pages with its own hubs as cursors`(): Unit = rolling().use { e ->
        val whole = e.ask<Answer.Hubs>("customer:SUP-A", Query.CustomerEstate("SUP-A")).v1
        val paged = mutableListOf<HubView>()
        var after: String? = null
        do {
            val page = e.ask<Answer.HubPage>("customer:SUP-A", Query.CustomerEstatePage("SUP-A", after, 2L)).v1
            assertTrue(page.hubs.size <= 2)
            paged += page.hubs
            after = page.next
        } while (after != null)
        assertEquals(whole, paged)
        assertTrue(whole.size > 2)
        assertThrows(CommsHubOtaException.NotFound::class.java) { e.query("customer:SUP-A", Query.CustomerEstatePage("SUP-A", h(0x15), 2L)) }
        assertThrows(CommsHubOtaException.NotPermitted::class.java) { e.query("csp:north", Query.CustomerEstatePage("SUP-A")) }
        assertThrows(CommsHubOtaException.InvalidInput::class.java) { e.query("customer:SUP-A", Query.CustomerEstatePage("SUP-A", null, 0L)) }
    }
}
