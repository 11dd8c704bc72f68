package commshub.ota

import commshub.ota.model.*
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

/** The CSP administers its pilot and the DCC changes a live policy (decision 23, issue 26) from Kotlin. */
class PilotAdministrationTest {
    private val csp = "csp:north"

    /** pilot_c1.json with every north supplier approving its whole estate: hubs 01 and 08 are upgradeable. */
    private fun pilot(): Engine = fixture("pilot_c1.json").also { e ->
        for (who in listOf("SUP-A", "SUP-C", "SUP-D")) e.execute("customer:$who", t(2), Command.ApproveWholeEstate(ApproveWholeEstate("C1")))
    }

    private fun explain(e: Engine, who: String, n: Int, at: java.time.Instant) = e.ask<Answer.Explanation>(who, Query.Explain("C1", h(n), at)).v1
    private fun kinds(e: Engine, who: String) = e.ask<Answer.Notifications>(who, Query.Notifications(100L)).v1.notifications.map { it.kind }
    private fun setOf(e: Engine, n: Int) = e.ask<Answer.Hub>("dcc", Query.Hub(h(n))).v1.configurationSet
    private fun pace(e: Engine, who: String, pacing: PilotPacing) = e.execute(who, t(3), Command.SetPilotPacing(SetPilotPacing("C1", pacing)))

    @Test
    fun `the CSP paces its pilot within the policy`(): Unit = pilot().use { e ->
        val pacing = PilotPacing(dailyCap = 1, window = DispatchWindow(10, 16))
        assertEquals(listOf("pilot_pacing_set"), pace(e, csp, pacing).map { it.eventType })
        assertEquals(listOf<Blocker>(Blocker.OutsideDispatchWindow(10, 16)), explain(e, "customer:SUP-A", 1, t(3, 9)).blockers)
        assertTrue(explain(e, "customer:SUP-A", 1, t(3, 11)).upgradeable)
        assertEquals(pacing, e.ask<Answer.Campaign>("customer:SUP-D", Query.Campaign("C1")).v1.pilotPacing)
        assertTrue(kinds(e, "customer:SUP-D").any { it is NotificationKind.PilotPacingSet })
        val policy = CampaignPolicy(pilotCapPerCustomer = 3, minAssessmentDays = 7, pacing = Pacing(dailyCap = 2))
        e.execute("dcc", t(3), Command.ChangeCampaignPolicy(ChangeCampaignPolicy("C1", policy, "teams short")))
        val above = assertThrows(CommsHubOtaException.InvalidInput::class.java) { pace(e, csp, PilotPacing(dailyCap = 3)) }
        assertEquals("daily_cap", above.field)
        assertThrows(CommsHubOtaException.NotPermitted::class.java) { pace(e, "customer:SUP-A", PilotPacing(dailyCap = 1)) }
        assertThrows(CommsHubOtaException.NotFound::class.java) { pace(e, "csp:south", PilotPacing(dailyCap = 1)) }
        assertThrows(CommsHubOtaException.PreconditionFailed::class.java) { pace(e, csp, pacing) }
    }

    @Test
    fun `the CSP pauses and resumes its own dispatches, never the DCC's halt`(): Unit = pilot().use { e ->
        val set08 = setOf(e, 8)
        val paused = e.execute(csp, t(3), Command.HaltUpgrades(HaltUpgrades("C1", set08, "field team stood down")))
        assertEquals(listOf("dispatches_paused"), paused.map { it.eventType })
        assertEquals(listOf<Blocker>(Blocker.PausedByCsp("field team stood down")), explain(e, "customer:SUP-D", 8, t(3)).blockers)
        assertTrue(kinds(e, "customer:SUP-D").any { it is NotificationKind.CspPause && it.paused })
        assertFalse(kinds(e, "customer:SUP-A").any { it is NotificationKind.CspPause })
        assertThrows(CommsHubOtaException.PreconditionFailed::class.java) {
            e.execute(csp, t(3), Command.HaltUpgrades(HaltUpgrades("C1", set08, "again")))
        }
        e.execute(csp, t(4), Command.ResumeUpgrades(ResumeUpgrades("C1", set08)))
        assertTrue(explain(e, "customer:SUP-D", 8, t(4)).upgradeable)
        e.execute("dcc", t(4), Command.HaltUpgrades(HaltUpgrades("C1", set08, "triage")))
        assertThrows(CommsHubOtaException.NotPermitted::class.java) {
            e.execute(csp, t(4), Command.ResumeUpgrades(ResumeUpgrades("C1", set08)))
        }
    }

    @Test
    fun `the DCC changes a live policy and explain names the change`(): Unit = pilot().use { e ->
        val policy = CampaignPolicy(pilotCapPerCustomer = 3, minAssessmentDays = 7, maxAttempts = 5)
        e.execute("dcc", t(3), Command.ChangeCampaignPolicy(ChangeCampaignPolicy("C1", policy, "winter load")))
        val view = e.ask<Answer.Campaign>("customer:SUP-A", Query.Campaign("C1")).v1
        assertEquals(policy, view.policy)
        assertEquals(CampaignChange.PolicyChanged(listOf("max_attempts"), "winter load"), view.history.last().change)
        assertEquals(listOf("max_attempts"), explain(e, "customer:SUP-D", 8, t(3)).policyChanged?.changed)
        assertThrows(CommsHubOtaException.PreconditionFailed::class.java) {
            e.execute("dcc", t(3), Command.ChangeCampaignPolicy(ChangeCampaignPolicy("C1", policy, "again")))
        }
        val bad = assertThrows(CommsHubOtaException.InvalidInput::class.java) {
            e.execute("dcc", t(3), Command.ChangeCampaignPolicy(ChangeCampaignPolicy("C1", CampaignPolicy(maxAttempts = 0), "x")))
        }
        assertEquals("policy.max_attempts", bad.field)
        assertThrows(CommsHubOtaException.NotPermitted::class.java) {
            e.execute(csp, t(3), Command.ChangeCampaignPolicy(ChangeCampaignPolicy("C1", CampaignPolicy(), "x")))
        }
    }
}
