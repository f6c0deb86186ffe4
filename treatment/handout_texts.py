"""Every fixed text of the patient's handout and the patient's summary, in one place.

Written for the patient: plain English, short sentences, no scores, no method names, nothing
alarming or blaming (issue #14). Each text is marked for translation; ``FIXED_TEXTS`` lists them
all, and tests/treatment/test_handout_texts.py checks each one's Flesch-Kincaid grade against
``settings.PATIENT_TEXT_MAX_GRADE`` (painclinic/readability.py). ``manage.py
handout_reading_levels`` prints the figures.

What the texts say comes from shared/reference/education.md §1: pain as a protector, not a
measure of the tissues (Moseley 2007 [V]; Moseley & Butler 2015 [V]); the fear-avoidance cycle and
its way out through graded steps, pacing and flare-ups as practice (the curriculum's topics, a
design proposal of the reference [U]). The setback text and the safety-netting stay where the
clinician edits them (treatment/models.py: DEFAULT_SETBACK_TEXT, SAFETY_NET_DEFAULT).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from treatment.models import Intervention

# --- the handout ------------------------------------------------------------------------------
HANDOUT_TITLE = _("My plan for living well with pain")
HANDOUT_INTRO = _(
    "This sheet is for you. It sums up the plan we made together. Keep it where you can find "
    "it, and bring it to your next visit."
)

PAIN_HEADING = _("What we know about your pain")
PAIN_TEXT = _(
    "Pain is your body's alarm. Its job is to keep you safe. When pain goes on for a long "
    "time, the alarm can get too touchy. It can go off even when your body is not being "
    "harmed. So hurt does not always mean harm. You can slowly do more, even while you still "
    "have some pain."
)

CYCLE_HEADING = _("The cycle that can keep pain going")
CYCLE_TEXT = _(
    "When something hurts, it makes sense to be careful. Many people stop doing the things "
    "they think will make the pain worse. But when you do less, your body gets stiff and weak. "
    "You may feel low and miss out on things you enjoy. Then small tasks can hurt more, and it "
    "gets harder to start again. This is a cycle. You can get out of it."
)
# The cycle as four boxes, filled in with the patient's own words where the record has them.
CYCLE_HURTS = _("It hurts.")
CYCLE_WORRY_LABEL = _("You worry about what might happen:")
CYCLE_WORRY_GENERAL = _("You worry that moving will make it worse.")
CYCLE_AVOID_LABEL = _("So you stop doing it, or do less:")
CYCLE_AVOID_GENERAL = _("So you do less and less.")
CYCLE_LESS = _("Your body gets stiff and weak. Life gets smaller, and pain can grow.")
CYCLE_ROUND = _("And round it goes.")

WAY_OUT_HEADING = _("The way out")
WAY_OUT_TEXT = _(
    "The way out is to go back to these things one small step at a time. We start with the "
    "step that feels the easiest. Before each step, you say what you think will happen. After "
    "it, you look at what did happen. Step by step, you learn that you can do more."
)
WAY_OUT_GENERAL = _(
    "The way out is to go back to the things you have put off, one small step at a time. We "
    "will plan the steps with you, starting with the easiest one."
)
WAY_OUT_STEPS_LABEL = _("Your steps, the easiest first")

GOALS_HEADING = _("Your goals, in your own words")
GOALS_NONE = _(
    "We have not written down your goals yet. We will do this together at your next visit."
)
GOAL_REVIEW_BY = _("We will look at this goal with you by %(date)s.")

PACING_HEADING = _("Your pacing plan")
PACING_TEXT = _(
    "Pacing means you do a set amount of a task each day, on good days and on bad days. Stop "
    "when you reach your amount, even if you feel you could do more. Take short breaks before "
    "you need them. Then add a little more, as planned."
)
BOOM_BUST_TEXT = _(
    "On a good day it is tempting to do a lot. Then the pain flares up, and you need days to "
    "rest. This up and down is called boom and bust. Pacing helps you break out of it."
)
PACING_FROM_LABEL = _("From")
PACING_AMOUNT_LABEL = _("Each day")
PACING_NOT_READY = _("We will work out your daily amount with you at your next visit.")

FLARE_HEADING = _("If you have a flare-up")
FLARE_NONE = _(
    "We have not made your flare-up plan yet. Until we do, keep moving gently, pace what you "
    "do, and call us if you are worried."
)
FLARE_TRIGGERS_LABEL = _("What can set off a flare-up")
FLARE_SIGNS_LABEL = _("Early signs to look out for")
FLARE_DO_LABEL = _("What I will do")
FLARE_CONTACT_LABEL = _("Who to call, and when")
# As on the flare-up plan itself (templates/treatment/flare_up_print.html).
URGENT_HEADING = _("Seek urgent help if…")

# --- the patient's summary --------------------------------------------------------------------
SUMMARY_TITLE = _("Summary of my care")
SUMMARY_INTRO = _(
    "This is a short summary of your care with the pain team. It is written for you. If "
    "anything is not clear, please ask us."
)
TALKED_HEADING = _("What we talked about")
TALKED_NONE = _("We will add the topics here as we go through them with you.")
WORKING_HEADING = _("What you are working on")
WORKING_STEPS_LABEL = _("Your steps back to the things you want to do")
WORKING_PACING_LABEL = _("What you are building up, bit by bit")
WORKING_PACING_AMOUNT = _("%(activity)s: %(amount)s %(unit)s a day, for now")
PLAN_HEADING = _("Your plan")
PLAN_NONE = _("We will agree your plan with you at your next visit.")
CONTACT_HEADING = _("Who to contact")
CONTACT_LEAD = _("Your main contact at the pain team is %(name)s.")
CONTACT_TEXT = _(
    "If you have a question about your plan, or need to change a visit, call the pain team."
)
WORSE_HEADING = _("What to do if things get worse")
WORSE_TEXT = _(
    "Most flare-ups settle with time. Use your flare-up plan: pace, keep moving gently, and be "
    "kind to yourself. A flare-up does not mean you are back at the start."
)

# The curriculum's topics (education/seed.py), as a patient would say them. A topic the clinic
# adds later has no entry here and is shown by its own title.
TOPIC_WORDS = {
    "neurophysiology": _("How pain works: it is an alarm that keeps you safe."),
    "hurt_not_harm": _("Hurt does not always mean harm."),
    "central_sensitisation": _("Why the alarm can get too touchy, and how it can calm down."),
    "fear_avoidance": _("How worry about pain can lead to doing less, and how to get out of it."),
    "pacing": _("Pacing: a steady amount each day, not too much and then a crash."),
    "flare_ups": _("Flare-ups happen. Each one is a chance to practise your plan."),
    "sleep": _("How sleep and pain affect each other."),
    "medication": _("What pills can and cannot do, and how to cut down slowly."),
    "pmp_rationale": _("How a group course can help you live well with pain."),
    "metaphors": _("Stories and pictures that help to explain pain."),
}

# The plan's interventions (treatment.models.Intervention), as a patient would say them.
INTERVENTION_WORDS = {
    Intervention.PAIN_EDUCATION: _("Learning how pain works"),
    Intervention.GRADED_EXPOSURE: _("Going back to things you have been wary of, step by step"),
    Intervention.GRADED_ACTIVITY: _("Pacing: building up what you do, slowly and steadily"),
    Intervention.CBT: _("Working on the thoughts and habits that make pain harder to live with"),
    Intervention.ACT: _("Making room for pain while you do the things that matter to you"),
    Intervention.MOTIVATIONAL_INTERVIEWING: _("Talking through what you want to change, and why"),
    Intervention.RELAXATION_SLEEP: _("Ways to relax and to sleep better"),
    Intervention.MEDICATION_REVIEW: _("A check of your pills and other medicines"),
    Intervention.RETURN_TO_WORK: _("Planning your way back to work"),
}


def _fixed_texts() -> dict[str, object]:
    texts: dict[str, object] = {
        name: value
        for name, value in globals().items()
        if name.isupper() and name not in {"TOPIC_WORDS", "INTERVENTION_WORDS"}
    }
    texts.update({f"TOPIC_WORDS[{k}]": v for k, v in TOPIC_WORDS.items()})
    texts.update({f"INTERVENTION_WORDS[{k}]": v for k, v in INTERVENTION_WORDS.items()})
    return texts


# Every fixed text by its name here, for the reading-level test and command.
FIXED_TEXTS = _fixed_texts()
