"""Seed the default pain-education curriculum and the 93 techniques of BCTTv1.

The data is copied here (not imported from education/seed.py) so that a later change to the
seed module never rewrites what this migration did. Sources: see education/seed.py.
"""

from django.db import migrations

CURRICULUM = (
    ("neurophysiology", "How pain works: the alarm system",
     "Pain as a protector; danger signals are not pain; nerves, spinal cord and brain."),
    ("hurt_not_harm", "Hurt does not equal harm",
     "Pain does not measure the state of the tissues; the link loosens as pain persists."),
    ("central_sensitisation", "A sensitive alarm (central sensitisation)",
     "Peripheral and central sensitisation; an over-protective system can settle again."),
    ("fear_avoidance", "The fear-avoidance cycle",
     "Fear of movement, avoidance, loss of fitness and mood, more pain; ways out of the cycle."),
    ("pacing", "Pacing and the boom-and-bust cycle",
     "Baselines, planned rests, steady increases instead of overdoing and crashing."),
    ("flare_ups", "Flare-ups as practice",
     "Setbacks are expected; a flare-up plan; each flare-up is practice in settling it."),
    ("sleep", "Sleep and pain",
     "How poor sleep and pain feed each other; simple sleep habits."),
    ("medication", "Medicines and reducing them",
     "What medicines can and cannot do for long-term pain; planned, gradual reduction."),
    ("pmp_rationale", "Why a pain management programme",
     "From understanding to action: goals, graded activity, skills for living well with pain."),
    ("metaphors", "Analogies and metaphors",
     "Stories that carry the message (the alarm, the protectometer, bioplasticity)."),
)  # fmt: skip

GROUPS = {
    1: "Goals and planning", 2: "Feedback and monitoring", 3: "Social support",
    4: "Shaping knowledge", 5: "Natural consequences", 6: "Comparison of behaviour",
    7: "Associations", 8: "Repetition and substitution", 9: "Comparison of outcomes",
    10: "Reward and threat", 11: "Regulation", 12: "Antecedents", 13: "Identity",
    14: "Scheduled consequences", 15: "Self-belief", 16: "Covert learning",
}  # fmt: skip

BCTS = (
    ("1.1", "Goal setting (behaviour)"), ("1.2", "Problem solving"),
    ("1.3", "Goal setting (outcome)"), ("1.4", "Action planning"),
    ("1.5", "Review behaviour goal(s)"), ("1.6", "Discrepancy between current behaviour and goal"),
    ("1.7", "Review outcome goal(s)"), ("1.8", "Behavioural contract"), ("1.9", "Commitment"),
    ("2.1", "Monitoring of behaviour by others without feedback"),
    ("2.2", "Feedback on behaviour"), ("2.3", "Self-monitoring of behaviour"),
    ("2.4", "Self-monitoring of outcome(s) of behaviour"),
    ("2.5", "Monitoring of outcome(s) of behaviour without feedback"), ("2.6", "Biofeedback"),
    ("2.7", "Feedback on outcome(s) of behaviour"), ("3.1", "Social support (unspecified)"),
    ("3.2", "Social support (practical)"), ("3.3", "Social support (emotional)"),
    ("4.1", "Instruction on how to perform the behaviour"),
    ("4.2", "Information about antecedents"), ("4.3", "Re-attribution"),
    ("4.4", "Behavioural experiments"), ("5.1", "Information about health consequences"),
    ("5.2", "Salience of consequences"),
    ("5.3", "Information about social and environmental consequences"),
    ("5.4", "Monitoring of emotional consequences"), ("5.5", "Anticipated regret"),
    ("5.6", "Information about emotional consequences"), ("6.1", "Demonstration of the behaviour"),
    ("6.2", "Social comparison"), ("6.3", "Information about others' approval"),
    ("7.1", "Prompts/cues"), ("7.2", "Cue signalling reward"), ("7.3", "Reduce prompts/cues"),
    ("7.4", "Remove access to the reward"), ("7.5", "Remove aversive stimulus"),
    ("7.6", "Satiation"), ("7.7", "Exposure"), ("7.8", "Associative learning"),
    ("8.1", "Behavioural practice/rehearsal"), ("8.2", "Behaviour substitution"),
    ("8.3", "Habit formation"), ("8.4", "Habit reversal"), ("8.5", "Overcorrection"),
    ("8.6", "Generalisation of target behaviour"), ("8.7", "Graded tasks"),
    ("9.1", "Credible source"), ("9.2", "Pros and cons"),
    ("9.3", "Comparative imagining of future outcomes"),
    ("10.1", "Material incentive (behaviour)"), ("10.2", "Material reward (behaviour)"),
    ("10.3", "Non-specific reward"), ("10.4", "Social reward"), ("10.5", "Social incentive"),
    ("10.6", "Non-specific incentive"), ("10.7", "Self-incentive"),
    ("10.8", "Incentive (outcome)"), ("10.9", "Self-reward"), ("10.10", "Reward (outcome)"),
    ("10.11", "Future punishment"), ("11.1", "Pharmacological support"),
    ("11.2", "Reduce negative emotions"), ("11.3", "Conserving mental resources"),
    ("11.4", "Paradoxical instructions"), ("12.1", "Restructuring the physical environment"),
    ("12.2", "Restructuring the social environment"),
    ("12.3", "Avoidance/reducing exposure to cues for the behaviour"), ("12.4", "Distraction"),
    ("12.5", "Adding objects to the environment"), ("12.6", "Body changes"),
    ("13.1", "Identification of self as role model"), ("13.2", "Framing/reframing"),
    ("13.3", "Incompatible beliefs"), ("13.4", "Valued self-identity"),
    ("13.5", "Identity associated with changed behaviour"), ("14.1", "Behaviour cost"),
    ("14.2", "Punishment"), ("14.3", "Remove reward"), ("14.4", "Reward approximation"),
    ("14.5", "Rewarding completion"), ("14.6", "Situation-specific reward"),
    ("14.7", "Reward incompatible behaviour"), ("14.8", "Reward alternative behaviour"),
    ("14.9", "Reduce reward frequency"), ("14.10", "Remove punishment"),
    ("15.1", "Verbal persuasion about capability"),
    ("15.2", "Mental rehearsal of successful performance"), ("15.3", "Focus on past success"),
    ("15.4", "Self-talk"), ("16.1", "Imaginary punishment"), ("16.2", "Imaginary reward"),
    ("16.3", "Vicarious consequences"),
)  # fmt: skip

PAIN_RELEVANT = (
    "1.1", "1.2", "1.4", "1.5", "2.2", "2.3", "2.4", "3.1", "4.1", "4.2",
    "4.3", "4.4", "6.1", "8.1", "8.7", "9.1", "11.2", "12.6", "13.2", "15.1",
)  # fmt: skip


def seed(apps, schema_editor):
    Topic = apps.get_model("education", "Topic")
    Technique = apps.get_model("education", "BehaviourChangeTechnique")
    for position, (slug, title, summary) in enumerate(CURRICULUM, start=1):
        Topic.objects.get_or_create(
            slug=slug, defaults={"title": title, "summary": summary, "position": position}
        )
    for code, label in BCTS:
        group, number = (int(part) for part in code.split("."))
        Technique.objects.update_or_create(
            code=code,
            defaults={
                "group_number": group,
                "group_name": GROUPS[group],
                "number": number,
                "label": label,
                "pain_relevant": code in PAIN_RELEVANT,
                "pain_rank": PAIN_RELEVANT.index(code) + 1 if code in PAIN_RELEVANT else None,
            },
        )


def unseed(apps, schema_editor):
    apps.get_model("education", "TechniqueUsed").objects.all().delete()
    apps.get_model("education", "BehaviourChangeTechnique").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("education", "0001_education_initial_educ")]

    operations = [migrations.RunPython(seed, unseed)]
