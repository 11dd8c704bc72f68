package commshub.ota

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.time.Duration
import java.time.Instant

class ParticipationTest {
    private val t0: Instant = Instant.parse("2026-01-01T09:00:00Z")
    private fun t(day: Long): Instant = t0.plus(Duration.ofDays(day))
    private fun h(n: Int) = "00-00-00-00-00-00-00-%02X".format(n)

    private fun piloting(): Engine = Conformance.given(
        Engine(),
        Conformance.mapper.readTree(Conformance.testsDir.resolve("fixtures/pilot_c1.json").toFile()),
    )

    @Test
    fun `nominations come back per hub and explain is typed and scoped`(): Unit = piloting().use { e ->
        val events = e.nominateHubs("customer:SUP-A", t(3), "C1", listOf(h(1), h(2), h(5)))
        val payload = Conformance.mapper.readTree(events.single().payloadJson)
        assertEquals(listOf(h(1)), payload.get("hubs").map { it.asText() })
        assertEquals(listOf(h(2), h(5)), payload.get("refused").map { it.get("hub").asText() })
        assertThrows(CommsHubOtaException.BulkRejected::class.java) { e.nominateHubs("customer:SUP-A", t(3), "C1", listOf(h(1))) }
        assertThrows(CommsHubOtaException.NotPermitted::class.java) { e.nominateHubs("dcc", t(3), "C1", listOf(h(1))) }
        assertThrows(CommsHubOtaException.InvalidId::class.java) { e.nominateHubs("customer:SUP-A", t(3), "C1", listOf("nope")) }

        e.nominateHubs("customer:SUP-A", t(3), "C1", listOf(h(6)))
        assertEquals(
            listOf(Blocker.AwaitingConsent(SupplyRole.GAS, Party.OtherSupplier, null)),
            e.explain("customer:SUP-A", "C1", h(6), t(3)).blockers,
        )
        assertEquals(
            listOf(Blocker.AwaitingConsent(SupplyRole.GAS, Party.Customer("SUP-C"), java.time.Instant.parse("2026-03-02T09:00:00Z"))),
            e.explain("dcc", "C1", h(6), t(3)).blockers,
        )
        assertEquals(listOf(h(6)), e.participation("customer:SUP-C", "C1", "SUP-C", t(3)).otherSupplierConsented)
        e.approveWholeEstate("customer:SUP-C", t(4), "C1")
        val page = e.upgradeList("csp:north", Region.NORTH, t(4), 0, 10)
        assertEquals(listOf(h(1), h(6), h(5)), page.entries.map { it.hub })
        assertTrue(page.entries[0].nominated)
        assertThrows(CommsHubOtaException.NotPermitted::class.java) { e.upgradeList("csp:south", Region.NORTH, t(4), 0, 10) }
        assertThrows(CommsHubOtaException.InvalidInput::class.java) { e.upgradeList("dcc", Region.NORTH, t(4), -1, 10) }
    }

    @Test
    fun `rejections, verdicts and the mass rollout gate`(): Unit = piloting().use { e ->
        e.nominateHubs("customer:SUP-A", t(3), "C1", listOf(h(1)))
        e.rejectHubs("customer:SUP-A", t(3), "C1", listOf(h(7)), "site access")
        val x = e.explain("customer:SUP-A", "C1", h(7), t(61))
        assertFalse(x.upgradeable)
        assertEquals(Blocker.Rejected(SupplyRole.IMPORT, Party.You, "site access"), x.blockers.last())
        e.withdrawRejections("customer:SUP-A", t(3), "C1", listOf(h(7)))
        val gate = assertThrows(CommsHubOtaException.PreconditionFailed::class.java) { e.grantMassRolloutOa("dcc", t(4), "C1", null) }
        assertEquals("pilot_assessment", gate.rule)
        assertTrue(gate.detail.contains("SUP-A"))
        e.recordPilotVerdict("customer:SUP-A", t(5), "C1", PilotVerdict.IssuesFound("slow IHD reconnect"))
        assertEquals(PilotVerdict.IssuesFound("slow IHD reconnect"), e.participation("dcc", "C1", "SUP-A", t(5)).verdict)
        assertThrows(CommsHubOtaException.PreconditionFailed::class.java) { e.grantMassRolloutOa("dcc", t(5), "C1", null) }
        e.grantMassRolloutOa("dcc", t(5), "C1", "security fix")
        assertEquals(Phase.MASS_ROLLOUT, e.campaign("dcc", "C1").phase)
        assertEquals(4, e.participations("dcc", "C1", t(5)).size)
    }

    @Test
    fun `proposals, policies and configuration sets`(): Unit = piloting().use { e ->
        assertEquals(e.proposePilot("customer:SUP-A", "C1", 2, 7, t(3)), e.proposePilot("customer:SUP-A", "C1", 2, 7, t(3)))
        assertEquals(2, e.proposePilot("customer:SUP-A", "C1", 2, 7, t(3)).size)
        assertThrows(CommsHubOtaException.InvalidInput::class.java) { e.proposePilot("customer:SUP-A", "C1", -1, 7, t(3)) }
        assertThrows(CommsHubOtaException.InvalidInput::class.java) {
            e.createCampaign("dcc", t(3), "C2", "CH-N-DB", "2.0", t(60), CampaignPolicy(-1, 0))
        }
        val set = e.hub("customer:SUP-D", h(8)).configurationSet
        e.approveConfigurationSets("customer:SUP-D", t(3), "C1", listOf(set))
        assertEquals(listOf(set.key), e.participation("customer:SUP-D", "C1", "SUP-D", t(3)).approvedConfigurationSets.map { it.key })
        e.withdrawConfigurationSetApprovals("customer:SUP-D", t(4), "C1", listOf(set))
        assertThrows(CommsHubOtaException.PreconditionFailed::class.java) { e.withdrawConfigurationSetApprovals("customer:SUP-D", t(4), "C1", listOf(set)) }
        e.approveWholeEstate("customer:SUP-D", t(4), "C1")
        e.withdrawWholeEstateApproval("customer:SUP-D", t(4), "C1")
        e.nominateHubs("customer:SUP-A", t(4), "C1", listOf(h(1)))
        e.withdrawNominations("customer:SUP-A", t(4), "C1", listOf(h(1)))
        e.rejectHubs("customer:SUP-A", t(4), "C1", listOf(h(1)), "later")
        e.overrideRejections("dcc", t(5), "C1", h(1), "urgent")
        assertTrue(e.participation("customer:SUP-A", "C1", "SUP-A", t(5)).rejected.isEmpty())
    }
}
