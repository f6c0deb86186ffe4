"""Primary pain condition: a coded list built on the ICD-11 chronic pain classification.

ICD-11 MG30 "Chronic pain" (Treede et al., Pain 2019;160:19-27; WHO ICD-11 MMS 2019+):
chronic primary pain (MG30.0) and six chronic secondary pain categories (MG30.1-MG30.6), with
their main subcategories used in pain services. Codes from the WHO ICD-11 browser
(icd.who.int/browse11), MMS linearisation. A clinic may extend the list in a later migration.
"""

from __future__ import annotations

# (code, label). Order follows the ICD-11 hierarchy.
ICD11_CHRONIC_PAIN: tuple[tuple[str, str], ...] = (
    ("MG30.0", "Chronic primary pain"),
    ("MG30.00", "Chronic widespread pain (incl. fibromyalgia)"),
    ("MG30.01", "Complex regional pain syndrome"),
    ("MG30.02", "Chronic primary headache or orofacial pain"),
    ("MG30.03", "Chronic primary visceral pain"),
    ("MG30.04", "Chronic primary musculoskeletal pain (incl. non-specific low back pain)"),
    ("MG30.1", "Chronic cancer-related pain"),
    ("MG30.2", "Chronic postsurgical or post-traumatic pain"),
    ("MG30.3", "Chronic secondary musculoskeletal pain"),
    ("MG30.4", "Chronic secondary visceral pain"),
    ("MG30.5", "Chronic neuropathic pain"),
    ("MG30.6", "Chronic secondary headache or orofacial pain"),
    ("MG30.Z", "Chronic pain, unspecified"),
)

CONDITION_CHOICES = ICD11_CHRONIC_PAIN
CONDITION_LABELS = dict(ICD11_CHRONIC_PAIN)
