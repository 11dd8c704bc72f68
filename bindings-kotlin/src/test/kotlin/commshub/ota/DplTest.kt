package commshub.ota

import commshub.ota.model.*
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.time.LocalDate
import java.time.ZoneOffset

/** The Deployed Products List over time (decision 18, issue 25) from Kotlin. */
class DplTest {
    private val a = "customer:SUP-A"

    private fun rolling(): Engine {
        val e = fixture("rollout_estate.json")
        e.execute("dcc", t(1), Command.CreateCampaign(CreateCampaign("C2", "CH-N-DB", "2.0", t(59), CampaignPolicy())))
        e.execute("dcc", t(2), Command.GrantPilotOa(GrantPilotOa("C2")))
        e.execute(a, t(2), Command.ApproveWholeEstate(ApproveWholeEstate("C2")))
        return e
    }

    private fun d(day: Long): LocalDate = t(day).atOffset(ZoneOffset.UTC).toLocalDate()

    private fun dpl(e: Engine, who: String, day: Long, customer: String? = null) =
        e.ask<Answer.Dpl>(who, Query.Dpl(customer, d(day))).v1

    @Test
    fun `the history keeps each day and today is the list worked out now`(): Unit = rolling().use { e ->
        val before = dpl(e, a, 2, "SUP-A")
        val upgrade = listOf(Outcome.Dispatched, Outcome.Delivered, Outcome.Activated, Outcome.ReadBack("2.0")).map { OutcomeReport(h(0x10), it) }
        e.execute("csp:north", t(3), Command.ReportOutcomes(ReportOutcomes("C2", upgrade)))
        val after = dpl(e, a, 3, "SUP-A")
        assertEquals(before, dpl(e, a, 2, "SUP-A"))
        assertNotEquals(before, after)
        val now = e.ask<Answer.ConfigurationSets>(a, Query.ConfigurationSets("SUP-A")).v1
        assertEquals(now.associate { it.configurationSet.key() to it.hubs }, after.associate { it.configurationSet.key() to it.hubs })
        assertEquals(after[0].configurationSet.label(), after[0].label)
        assertTrue(after[0].label.startsWith("CH N DB "), after[0].label)
        val days = e.ask<Answer.DplHistory>("dcc", Query.DplHistory(null, d(1), d(3))).v1
        assertEquals(listOf(d(1), d(2), d(3)), days.map { it.day })
        assertEquals(dpl(e, "dcc", 3), days[2].sets)
    }

    @Test
    fun `each party reads its scope and refusals are typed`(): Unit = rolling().use { e ->
        assertTrue(dpl(e, "csp:north", 2).all { it.configurationSet.variant == "CH-N-DB" })
        assertThrows(CommsHubOtaException.NotPermitted::class.java) { dpl(e, a, 2) }
        assertThrows(CommsHubOtaException.NotPermitted::class.java) { dpl(e, a, 2, "SUP-D") }
        val back = assertThrows(CommsHubOtaException.InvalidInput::class.java) {
            e.ask<Answer.DplHistory>("dcc", Query.DplHistory(null, d(3), d(2)))
        }
        assertEquals("to", back.field)
        assertThrows(CommsHubOtaException.InvalidInput::class.java) {
            e.ask<Answer.DplHistory>("dcc", Query.DplHistory(null, d(0), d(0).plusDays(3660)))
        }
    }

    /** The two-region fixture, then 5 900 north hubs on four sets (by ESME model). */
    private fun fourSuppliers(): Engine {
        val e = fixture("two_regions.json")
        load(e, 1, listOf(600 to "SUP-A:EM-A1", 600 to "SUP-B:EM-A1", 600 to "SUP-C:EM-A1",
            400 to "SUP-A:EM-V1", 400 to "SUP-B:EM-V1", 400 to "SUP-C:EM-V1", 400 to "SUP-D:EM-V1",
            500 to "SUP-A:EM-B2", 500 to "SUP-B:EM-B2", 500 to "SUP-C:EM-B2", 1000 to "SUP-D:EM-D3"))
        return e
    }

    private fun load(e: Engine, day: Long, groups: List<Pair<Int, String>>) {
        var n = 1_000_000L * (day + 1)
        val hubs = groups.flatMap { (count, who) ->
            val (supplier, esme) = who.split(":")
            (0 until count).map {
                HubInput(
                    id = "%016X".format(n++), variant = "CH-N-DB", firmware = "1.1", smiStatus = SmiStatus.COMMISSIONED,
                    installedOn = "2024-03-01", commissionedOn = "2024-03-02",
                    devices = HanDevices(esme = HanDevice(esme, "3.1")), importSupplier = supplier,
                )
            }
        }
        e.loadEstate("dcc", t(day), hubs)
    }

    private fun bp(part: Int, whole: Int): Int = Math.round(part * 10_000.0 / whole / 50).toInt() * 50

    private fun north(days: List<SharesDay>, day: Long) =
        days.first { it.day == d(day) }.variants.first { it.variant == "CH-N-DB" }

    @Test
    fun `customers see industry shares only where disclosed`(): Unit = fourSuppliers().use { e ->
        val shares = e.ask<Answer.IndustryShares>(a, Query.IndustryShares(d(1), d(1))).v1
        val v = north(shares, 1)
        // The fixture's hub 03 is on EM-A1's set, hubs 01 and 02 on sets of their own; EM-D3
        // has one supplier: it, the fixture's two and then EM-B2 are "other".
        val whole = 1801 + 1600 + 1500 + 1000 + 2
        assertEquals(listOf("EM-A1" to bp(1801, whole), "EM-V1" to bp(1600, whole)),
            v.sets.map { it.configurationSet.devices.esme?.model to it.shareBp })
        assertEquals(bp(2502, whole), v.otherBp)
        assertEquals(d(1), v.asOf)
        assertEquals(shares, e.ask<Answer.IndustryShares>("customer:SUP-D", Query.IndustryShares(d(1), d(1))).v1)
        // SUP-D alone adds 600 hubs: nothing shown moves.
        load(e, 2, listOf(600 to "SUP-D:EM-D3"))
        assertEquals(v, north(e.ask<Answer.IndustryShares>(a, Query.IndustryShares(d(1), d(2))).v1, 2))
        val back = assertThrows(CommsHubOtaException.InvalidInput::class.java) {
            e.ask<Answer.IndustryShares>(a, Query.IndustryShares(d(2), d(1)))
        }
        assertEquals("to", back.field)
        // Three more suppliers add hubs on EM-D3: the industry leaves SUP-A's EM-A1 and EM-V1 sets.
        load(e, 3, listOf(400 to "SUP-A:EM-D3", 400 to "SUP-B:EM-D3", 400 to "SUP-C:EM-D3"))
        val trends = e.ask<Answer.Trends>(a, Query.IndustryTrends(d(3))).v1
        assertEquals(listOf("EM-A1" to "EM-D3", "EM-V1" to "EM-D3"),
            trends.map { it.leaving.configurationSet.devices.esme?.model to it.rising.configurationSet.devices.esme?.model })
        assertTrue(trends.all { it.leaving.fromBp - it.leaving.toBp >= 200 && it.from == d(1) })
    }

    @Test
    fun `the deadline check tells customers once of the sets the industry is leaving`(): Unit = fourSuppliers().use { e ->
        load(e, 3, listOf(400 to "SUP-A:EM-D3", 400 to "SUP-B:EM-D3", 400 to "SUP-C:EM-D3", 600 to "SUP-D:EM-D3"))
        val rule = { who: String, action: RuleAction ->
            e.execute(who, t(3), Command.SaveRule(SaveRule(RuleSpec(name = "off EM-A1", trigger = RuleTrigger.IndustryTrend,
                condition = "esme.model == \"EM-A1\"", action = action))))
        }
        rule(a, RuleAction.Prioritise)
        val refused = assertThrows(CommsHubOtaException.NotPermitted::class.java) { rule("dcc", RuleAction.Notify("moving")) }
        assertTrue(refused.message!!.contains("industry_trend"), refused.message)
        val check = Command.CheckDeadlines(CheckDeadlines())
        assertTrue(e.execute("dcc", t(3), check).isEmpty())
        val events = e.execute("dcc", t(4), check)
        val noticed = events.map { it.payload }.filterIsInstance<EventPayload.IndustryTrendsNoticed>().single().v1
        assertEquals(d(3), noticed.on)
        val told = noticed.notices.map { it.customer to it.trend.leaving.configurationSet.devices.esme?.model }
        assertTrue(told.contains("SUP-A" to "EM-A1") && told.contains("SUP-D" to "EM-V1"), told.toString())
        assertTrue(!told.contains("SUP-D" to "EM-A1"), told.toString())
        val acted = events.map { it.payload }.filterIsInstance<EventPayload.RuleActed>().single().v1
        assertEquals("industry_trend", acted.trigger)
        assertTrue(acted.act is RuleAct.Prioritised)
        for (who in listOf("SUP-A", "SUP-B", "SUP-C", "SUP-D")) {
            val me = "customer:$who"
            val notes = e.ask<Answer.Notifications>(me, Query.Notifications(100L)).v1.notifications
                .map { it.kind }.filterIsInstance<NotificationKind.IndustryTrend>().map { it.trend }
            assertEquals(e.ask<Answer.Trends>(me, Query.IndustryTrends(d(3))).v1, notes, who)
            assertTrue(notes.isNotEmpty(), who)
        }
        assertTrue(e.execute("dcc", t(5), check).isEmpty(), "once per set and window")
    }
}
