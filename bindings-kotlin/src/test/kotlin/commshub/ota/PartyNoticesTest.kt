package commshub.ota

import commshub.ota.model.*
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

/** Notices by the DCC and a CSP (decision 23, issue 26) from Kotlin. */
class PartyNoticesTest {
    private fun notices(e: Engine, who: String) =
        e.ask<Answer.Notifications>("customer:$who", Query.Notifications(100L)).v1.notifications
            .map { it.kind }.filterIsInstance<NotificationKind.PartyNotice>()

    private fun send(e: Engine, who: String, audience: NoticeAudience, title: String = "Maintenance", text: String = "Saturday night.") =
        e.execute(who, t(3), Command.SendNotice(SendNotice(audience, title, text)))

    @Test
    fun `the DCC tells a campaign's customers, a CSP its region's`(): Unit = fixture("pilot_c1.json").use { e ->
        val sent = send(e, "dcc", NoticeAudience.OfCampaign("C1")).map { it.payload }
            .filterIsInstance<EventPayload.NoticeSent>().single().v1
        assertEquals(NoticeAudience.OfCampaign("C1"), sent.audience)
        for (who in listOf("SUP-A", "SUP-B", "SUP-C", "SUP-D")) {
            val n = notices(e, who).single()
            assertEquals(listOf("dcc", "C1", "Maintenance", "Saturday night."), listOf(n.sender, n.campaign, n.title, n.text), who)
        }
        // The south's CSP names two customers; only SUP-C has hubs in the south.
        send(e, "csp:south", NoticeAudience.Named(listOf("SUP-C", "SUP-A")))
        assertEquals(listOf("csp:south"), notices(e, "SUP-C").drop(1).map { it.sender })
        assertEquals(1, notices(e, "SUP-A").size)
    }

    @Test
    fun `refusals are typed`(): Unit = fixture("pilot_c1.json").use { e ->
        assertThrows(CommsHubOtaException.NotFound::class.java) { send(e, "csp:south", NoticeAudience.OfCampaign("C1")) }
        assertThrows(CommsHubOtaException.NotPermitted::class.java) { send(e, "customer:SUP-A", NoticeAudience.OfCampaign("C1")) }
        val blank = assertThrows(CommsHubOtaException.InvalidInput::class.java) { send(e, "dcc", NoticeAudience.OfCampaign("C1"), title = " ") }
        assertEquals("title", blank.field)
        val unknown = assertThrows(CommsHubOtaException.NotFound::class.java) { send(e, "dcc", NoticeAudience.Named(listOf("SUP-Z"))) }
        assertTrue(unknown.message!!.contains("SUP-Z"), unknown.message)
        assertTrue(notices(e, "SUP-A").isEmpty())
    }
}
