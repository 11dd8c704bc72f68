package commshub.ota

import commshub.ota.model.*
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

/** Firmware prerequisites on HAN device firmware (decision 17, issue 24). */
class PrerequisitesTest {
    private val csp = "csp:north"

    private fun rolling(): Engine {
        val e = fixture("rollout_estate.json")
        e.execute("dcc", t(1), Command.CreateCampaign(CreateCampaign("C2", "CH-N-DB", "2.0", t(59), CampaignPolicy())))
        e.execute("dcc", t(2), Command.GrantPilotOa(GrantPilotOa("C2")))
        e.execute("customer:SUP-D", t(2), Command.ApproveWholeEstate(ApproveWholeEstate("C2")))
        return e
    }

    private fun set(version: String, vararg p: Prerequisite) =
        Command.SetFirmwarePrerequisites(SetFirmwarePrerequisites("CH-N-DB", version, p.toList()))

    private fun listed(e: Engine, day: Long) =
        e.ask<Answer.UpgradePage>(csp, Query.UpgradeList(Region.NORTH, t(day), 0L, 1000L)).v1.entries.map { it.hub }.toSet()

    @Test
    fun `a hub below a prerequisite waits for its device`(): Unit = rolling().use { e ->
        assertTrue(h(0x16) in listed(e, 3))
        e.execute(csp, t(3), set("2.0", Prerequisite(HanDeviceKind.ESME, "EM-B2", "4.10")))
        assertFalse(h(0x16) in listed(e, 3))
        assertTrue(h(0x15) in listed(e, 3))
        val why = e.ask<Answer.Explanation>("customer:SUP-D", Query.Explain("C2", h(0x16), t(3))).v1
        assertEquals(listOf<Blocker>(Blocker.PrerequisiteMissing("2.0", HanDeviceKind.ESME, "EM-B2", "4.0", "4.10")), why.blockers)
        e.execute("dcc", t(4), Command.ChangeHanDeviceFirmware(ChangeHanDeviceFirmware(h(0x16), HanDeviceKind.ESME, "4.10")))
        assertTrue(h(0x16) in listed(e, 4))
    }

    @Test
    fun `refused prerequisites name what was wrong`(): Unit = rolling().use { e ->
        val need = Prerequisite(HanDeviceKind.ESME, null, "4.10")
        assertThrows(CommsHubOtaException.NotPermitted::class.java) { e.execute("dcc", t(3), set("2.0", need)) }
        assertThrows(CommsHubOtaException.NotFound::class.java) { e.execute(csp, t(3), set("9.9", need)) }
        val bad = assertThrows(CommsHubOtaException.InvalidInput::class.java) {
            e.execute(csp, t(3), set("2.0", Prerequisite(HanDeviceKind.ESME, null, "4 10")))
        }
        assertEquals("prerequisites[0].min_firmware", bad.field)
        e.execute(csp, t(3), set("2.0", need))
        val same = assertThrows(CommsHubOtaException.PreconditionFailed::class.java) { e.execute(csp, t(3), set("2.0", need)) }
        assertEquals(Rule.NO_CHANGE, same.rule)
    }
}
