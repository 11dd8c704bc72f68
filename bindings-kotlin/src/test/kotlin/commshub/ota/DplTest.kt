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
}
