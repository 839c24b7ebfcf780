"""The words prompt understanding knows: instruments, moods, parameter nudges and structure.

Genre names live in ``genre_words``.

Phrases are lower case; ``|`` separates alternatives. A space in a phrase also matches a hyphen
("lo fi" finds "lo-fi"). Instrument phrases also match their plural.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Instrument:
    """How the composer can realise a named instrument: the role it plays and GM programs to try."""

    role: str  # bass, chords, lead, pad, vocals, fx or drums
    programs: tuple[int, ...]  # GM programs 0-127, first preferred; () for drums and kits


# canonical name: (role, GM programs, phrases)
_INSTRUMENTS: dict[str, tuple[str, tuple[int, ...], str]] = {
    "piano": ("chords", (0, 1), "piano|grand piano|upright piano|acoustic piano|piano chords"),
    "electric piano": ("chords", (4, 5), "electric piano|e-piano|epiano|rhodes|wurlitzer|wurli"
                                         "|fender rhodes"),
    "keys": ("chords", (4, 0, 5), "keys|keyboard"),
    "organ": ("chords", (16, 17, 18), "organ|hammond|hammond organ|b3 organ|drawbar organ"),
    "church organ": ("pad", (19, 20), "church organ|pipe organ"),
    "harpsichord": ("chords", (6,), "harpsichord"),
    "clavinet": ("chords", (7,), "clavinet|clav"),
    "celesta": ("lead", (8, 10), "celesta|celeste"),
    "music box": ("lead", (10, 8), "music box"),
    "glockenspiel": ("lead", (9, 10), "glockenspiel|glock"),
    "vibraphone": ("lead", (11,), "vibraphone"),
    "marimba": ("lead", (12, 13), "marimba"),
    "xylophone": ("lead", (13, 12), "xylophone"),
    "kalimba": ("lead", (108,), "kalimba|mbira|thumb piano"),
    "bells": ("lead", (14, 112, 9), "bell|tubular bell|church bell|chime|wind chime|handbell"),
    "singing bowls": ("fx", (14, 93), "singing bowl|tibetan bowl|tibetan singing bowl|crystal bowl"),
    "steel drums": ("lead", (114,), "steel drum|steel pan|steelpan"),
    "accordion": ("chords", (21, 23), "accordion|bandoneon|concertina"),
    "harmonica": ("lead", (22,), "harmonica|blues harp"),
    "melodica": ("lead", (22, 21), "melodica"),
    "acoustic guitar": ("chords", (25, 24), "acoustic guitar|steel-string guitar|steel string guitar"),
    "nylon guitar": ("chords", (24,), "nylon guitar|nylon-string guitar|nylon string guitar|classical guitar"
                     "|spanish guitar|flamenco guitar"),
    "electric guitar": ("chords", (27, 26, 28), "electric guitar|clean guitar|clean electric guitar"
                        "|jangly guitar|telecaster|stratocaster"),
    "jazz guitar": ("chords", (26,), "jazz guitar|archtop guitar|hollow body guitar"),
    "distorted guitar": ("chords", (30, 29), "distorted guitar|heavy guitar|distortion guitar|power chord"
                         "|shredding guitar|metal guitar"),
    "overdriven guitar": ("chords", (29, 30), "overdriven guitar|crunchy guitar|crunch guitar|gritty guitar"),
    "muted guitar": ("chords", (28,), "muted guitar|funk guitar|wah guitar|chicken scratch"
                                      "|palm muted guitar"),
    "slide guitar": ("lead", (25, 27), "slide guitar|pedal steel|steel guitar|lap steel|dobro"),
    "guitar": ("chords", (25, 27, 24, 29, 30, 26), "guitar"),
    "banjo": ("chords", (105,), "banjo"),
    "mandolin": ("chords", (105, 25), "mandolin|bouzouki"),
    "ukulele": ("chords", (24,), "ukulele|uke"),
    "sitar": ("lead", (104,), "sitar"),
    "koto": ("lead", (107,), "koto"),
    "shamisen": ("lead", (106,), "shamisen"),
    "harp": ("chords", (46,), "harp|orchestral harp|celtic harp"),
    "analog bass": ("bass", (38, 39), "analog bass|analogue bass|synth bass|moog bass|synth bassline"
                                      "|analog bassline"),
    "acid bass": ("bass", (38, 87), "acid bass|acid bassline|303|tb-303|tb 303"),
    "808": ("bass", (38, 39), "808|808 bass|808 bassline|808s"),
    "sub bass": ("bass", (38, 39), "sub bass|subbass|sub-bass|deep sub"),
    "wobble bass": ("bass", (39, 87), "wobble bass|wobble|wub|reese|reese bass|growl bass|growl"),
    "upright bass": ("bass", (32,), "upright bass|double bass|acoustic bass|contrabass|stand-up bass"
                                    "|standup bass"),
    "electric bass": ("bass", (33, 34), "electric bass|bass guitar|fingered bass|finger bass|pick bass"),
    "slap bass": ("bass", (36, 37), "slap bass|slapped bass"),
    "fretless bass": ("bass", (35,), "fretless bass|fretless"),
    "bass": ("bass", (33, 38, 32), "bass|bassline|bass line"),
    "strings": ("chords", (48, 49, 44), "strings|string section|string ensemble|string orchestra"
                                        "|string quartet"
                "|orchestral strings|lush strings|staccato strings|string"),
    "violin": ("lead", (40,), "violin"),
    "fiddle": ("lead", (110, 40), "fiddle"),
    "viola": ("lead", (41,), "viola"),
    "cello": ("lead", (42,), "cello|violoncello"),
    "pizzicato strings": ("chords", (45,), "pizzicato|pizzicato strings|pizz strings"),
    "tremolo strings": ("chords", (44,), "tremolo strings"),
    "synth strings": ("pad", (50, 51), "synth strings|string machine|solina"),
    "brass": ("chords", (61, 62), "brass|brass section|horn section|horns|brass stab"),
    "trumpet": ("lead", (56,), "trumpet|flugelhorn|cornet"),
    "muted trumpet": ("lead", (59,), "muted trumpet"),
    "trombone": ("lead", (57,), "trombone"),
    "tuba": ("bass", (58,), "tuba|sousaphone"),
    "french horn": ("lead", (60,), "french horn"),
    "synth brass": ("chords", (62, 63), "synth brass"),
    "saxophone": ("lead", (65, 66), "saxophone|sax"),
    "alto sax": ("lead", (65,), "alto sax|alto saxophone"),
    "tenor sax": ("lead", (66,), "tenor sax|tenor saxophone"),
    "baritone sax": ("lead", (67,), "baritone sax|baritone saxophone|bari sax"),
    "soprano sax": ("lead", (64,), "soprano sax|soprano saxophone"),
    "flute": ("lead", (73,), "flute"),
    "pan flute": ("lead", (75, 73), "pan flute|panpipe|pan pipe|bamboo flute|andean flute"),
    "shakuhachi": ("lead", (77, 73), "shakuhachi"),
    "whistle": ("lead", (78, 72), "whistle|tin whistle|penny whistle|whistling"),
    "piccolo": ("lead", (72,), "piccolo"),
    "clarinet": ("lead", (71,), "clarinet"),
    "oboe": ("lead", (68,), "oboe|english horn|duduk"),
    "bassoon": ("lead", (70,), "bassoon"),
    "recorder": ("lead", (74,), "recorder"),
    "ocarina": ("lead", (79,), "ocarina"),
    "woodwinds": ("chords", (73, 71, 68), "woodwind|woodwind section"),
    "bagpipes": ("lead", (109,), "bagpipe"),
    "synth lead": ("lead", (81, 80), "synth lead|lead synth|saw lead|sawtooth lead|lead line"),
    "supersaw": ("chords", (81, 90), "supersaw|super saw"),
    "square lead": ("lead", (80,), "square lead|square wave|pulse wave|chip lead|8-bit lead"),
    "arpeggio synth": ("chords", (81, 80, 90), "arp|arpeggio|arpeggiated synth|arpeggiator|synth arp"),
    "pluck": ("chords", (81, 45, 108), "pluck|synth pluck|plucked synth"),
    "synth": ("chords", (81, 90, 62), "synth|synthesizer|analog synth|analogue synth|modular synth"
                                      "|polysynth"),
    "synth stabs": ("chords", (81, 62), "stab|synth stab|chord stab"),
    "pad": ("pad", (89, 88, 94, 95), "pad|synth pad|airy pad|warm pad|lush pad|ambient pad|atmospheric pad"
            "|evolving pad|soft pad|dreamy pad|string pad"),
    "drone": ("pad", (92, 89), "drone|drones"),
    "female vocals": ("vocals", (53, 54, 85), "female vocal|female vocal texture|female voice|female vox"
                      "|female singer|woman's voice|female choir|soprano voice|female vocal pad"),
    "male vocals": ("vocals", (53, 52), "male vocal|male voice|male vox|male singer|male choir"),
    "vocal chops": ("vocals", (54, 85), "vocal chop|chopped vocal|vocal sample|vocal stab"),
    "vocals": ("vocals", (53, 54, 85), "vocal|vocal texture|voice|vox|vocal pad|humming|hum|ooh|aah"),
    "choir": ("vocals", (52, 91), "choir|choral|chorale|gregorian chant|chant|chanting|chorus of voices"),
    "drums": ("drums", (), "drum|drum kit|drumkit|percussion section"),
    "live drums": ("drums", (), "live drum|acoustic drum|real drum|drummer"),
    "drum machine": ("drums", (), "drum machine|808 drum|tr-808|tr 808|909|tr-909|808 kit|linndrum"),
    "breakbeat": ("drums", (), "breakbeat|breaks|amen break|chopped break"),
    "brushes": ("drums", (), "brush|brushed drum|brush kit"),
    "percussion": ("drums", (), "percussion|hand percussion|world percussion|djembe|tabla"),
    "congas": ("drums", (), "conga|bongo"),
    "timpani": ("drums", (47,), "timpani|kettle drum|kettledrum"),
    "taiko": ("drums", (116,), "taiko|taiko drum|war drum|tribal drum"),
    "claps": ("drums", (), "clap|handclap|hand clap|clapping"),
    "snaps": ("drums", (), "snap|finger snap|fingersnap"),
    "shaker": ("drums", (), "shaker"),
    "tambourine": ("drums", (), "tambourine"),
    "cowbell": ("drums", (), "cowbell"),
    "hi-hats": ("drums", (), "hi-hat|hihat|hat|hi-hat roll|hat roll"),
    "bodhran": ("drums", (), "bodhran|bodhrán|frame drum"),
    "vinyl crackle": ("fx", (), "vinyl crackle|vinyl|crackle|tape hiss|record crackle"),
    "rain": ("fx", (122, 96), "rain|rain sound|rainfall|rainstorm"),
    "ocean waves": ("fx", (122,), "ocean|ocean wave|sea wave|waves|seashore|surf sound"),
    "birds": ("fx", (123,), "bird|birdsong|bird song|birds chirping|chirping"),
    "nature sounds": ("fx", (122, 123), "nature sound|forest sound|field recording|ambience of nature"),
    "wind": ("fx", (122, 99), "wind sound|howling wind|wind blowing|gust of wind"),
    "riser": ("fx", (119, 102, 95), "riser|uplifter|sweep|whoosh|white noise sweep"),
    "impacts": ("fx", (55, 116), "impact|boom|braam|braams|orchestra hit|orchestral hit"),
}  # fmt: skip

# Phrases that stand for several instruments at once.
_MULTI: dict[str, tuple[str, ...]] = {
    "full orchestra": ("strings", "brass", "woodwinds", "timpani"),
    "symphony orchestra": ("strings", "brass", "woodwinds", "timpani"),
    "rhythm section": ("drums", "bass", "piano"),
    "piano trio": ("piano", "upright bass", "drums"),
    "jazz trio": ("piano", "upright bass", "drums"),
    "big band": ("brass", "saxophone", "piano", "upright bass", "drums"),
}

INSTRUMENTS: dict[str, Instrument] = {name: Instrument(role, programs) for name, (role, programs, _) in
                                      _INSTRUMENTS.items()}  # fmt: skip
INSTRUMENT_PHRASES: dict[str, tuple[str, ...]] = {
    **{phrase: (name,) for name, (_, _, phrases) in _INSTRUMENTS.items() for phrase in phrases.split("|")},
    **_MULTI,
}

# Mood words -> canonical mood (the names the composer and the tag catalogue use).
_MOODS: dict[str, str] = {
    "happy": "happy|cheerful|joyful|joyous|fun|feel-good|feel good|carefree|jolly|sunny|bright and happy"
             "|cheery",
    "sad": "sad|sorrowful|mournful|heartbroken|heartbreak|tearful|grief|grieving|somber|sombre|tragic"
           "|depressing",
    "dark": "dark|sinister|ominous|brooding|gloomy|menacing|evil|moody|murky|gritty|grim|shadowy",
    "uplifting": "uplifting|euphoric|elevating|soaring|anthemic|rousing",
    "chill": "chill|chilled|chillout|chill out|laid-back|laid back|laidback|mellow|easygoing|easy-going|lazy"
             "|cozy|cosy|smooth|lounge|lounging",
    "calm": "calm|calming|soothing|gentle|soft|quiet|relaxing|relaxed|relaxation|restful|unwinding",
    "peaceful": "peaceful|tranquil|serene|serenity|still|stillness|zen",
    "dreamy": "dreamy|dreamlike|dream-like|ethereal|floating|hazy|spacey|spacy|atmospheric|airy|weightless",
    "epic": "epic|grand|majestic|massive|huge|monumental|colossal|larger than life",
    "heroic": "heroic|hero|brave|valiant|noble",
    "romantic": "romantic|love|loving|tender|passionate|sensual|sexy|seductive|intimate",
    "mysterious": "mysterious|mystery|enigmatic|mystical|magical|curious|intriguing|otherworldly",
    "tense": "tense|suspense|suspenseful|thriller|anxious|nervous|urgent|tension|chase|unsettling",
    "aggressive": "aggressive|angry|furious|fierce|brutal|violent|rage|raging|hard-hitting|hard hitting"
                  "|heavy",
    "melancholic": "melancholic|melancholy|wistful|bittersweet|longing|pensive|reflective|introspective"
                   "|lonely|nostalgic sadness|yearning",
    "nostalgic": "nostalgic|nostalgia|retro|vintage|old-school|old school|throwback|old-fashioned",
    "playful": "playful|quirky|whimsical|silly|bouncy|cute|cartoon|funny|comedic|light-hearted|lighthearted"
               "|goofy",
    "inspiring": "inspiring|inspirational|motivational|motivating|optimistic|positive|empowering",
    "hopeful": "hopeful|hope|bright future|promising",
    "groovy": "groovy|grooving|danceable|dancey|swaggering|swagger",
    "spooky": "spooky|creepy|horror|haunting|haunted|eerie|scary|halloween|ghostly|nightmare",
    "triumphant": "triumphant|victorious|victory|celebratory|celebration|festive|glorious",
    "hypnotic": "hypnotic|mesmerizing|mesmerising|trance-like|repetitive|trippy|psychedelic",
    "energetic": "energetic|energy|lively|upbeat|driving|dynamic|pumping|exciting|high-energy|high energy"
                 "|hype"
                 "|powerful|intense|banging|punchy",
    "emotional": "emotional|emotive|moving|touching|heartfelt|sentimental|poignant",
    "warm": "warm|warmth|cozy warmth",
    "elegant": "elegant|classy|sophisticated|refined|graceful|luxurious",
    "mystical": "spiritual|sacred|divine|transcendent",
}  # fmt: skip
MOOD_PHRASES: dict[str, str] = {p: mood for mood, phrases in _MOODS.items() for p in phrases.split("|")}

# Moods that lean towards minor-family / major-family modes (when the style offers both).
DARK_MOODS = frozenset({"sad", "dark", "tense", "aggressive", "melancholic", "spooky", "mysterious"})
BRIGHT_MOODS = frozenset({"happy", "uplifting", "playful", "inspiring", "hopeful", "triumphant", "heroic"})

# Words that move the Muzaic-style parameters when the request did not set them (-1 .. +1).
ADJUSTERS: dict[str, dict[str, float]] = {
    "intensity": {
        "energetic": 0.6, "intense": 0.8, "powerful": 0.6, "aggressive": 0.8, "driving": 0.5, "upbeat": 0.4,
        "banging": 0.8, "pumping": 0.6, "hard": 0.5, "explosive": 0.9, "high energy": 0.7, "high-energy": 0.7,
        "hype": 0.6, "epic": 0.5, "massive": 0.6, "furious": 0.9, "loud": 0.6, "heavy": 0.6, "dynamic": 0.3,
        "calm": -0.6, "chill": -0.5, "relaxing": -0.6, "mellow": -0.5, "gentle": -0.6, "soft": -0.6,
        "quiet": -0.7, "sleepy": -0.8, "peaceful": -0.6, "laid-back": -0.4, "laid back": -0.4, "lazy": -0.5,
        "soothing": -0.6, "subdued": -0.6, "tranquil": -0.6, "serene": -0.6, "delicate": -0.6,
        "minimal": -0.3, "low energy": -0.7, "low-energy": -0.7, "understated": -0.5, "background": -0.2,
        "subtle": -0.4,
    },
    "tempo": {
        "fast": 0.7, "quick": 0.5, "rapid": 0.7, "uptempo": 0.6, "up-tempo": 0.6, "upbeat": 0.3,
        "frantic": 0.9, "racing": 0.7, "high tempo": 0.7, "driving": 0.3, "energetic": 0.3,
        "slow": -0.7, "slower": -0.5, "downtempo": -0.6, "down-tempo": -0.6, "unhurried": -0.5,
        "leisurely": -0.5, "relaxed": -0.3, "slow-paced": -0.7, "slow paced": -0.7, "sleepy": -0.6,
        "lazy": -0.4,
    },
    "tone": {
        "dark": -0.7, "gloomy": -0.6, "murky": -0.6, "ominous": -0.6, "warm": -0.3, "deep": -0.3,
        "muffled": -0.6, "lo-fi": -0.4, "lofi": -0.4, "dusty": -0.4, "moody": -0.4, "sinister": -0.6,
        "bright": 0.7, "sparkling": 0.6, "shiny": 0.6, "crisp": 0.5, "airy": 0.4, "shimmering": 0.5,
        "happy": 0.4, "sunny": 0.5, "cheerful": 0.4, "glossy": 0.5, "radiant": 0.6, "uplifting": 0.3,
    },
    "rhythm": {
        "syncopated": 0.6, "complex": 0.6, "busy": 0.5, "intricate": 0.6, "polyrhythmic": 0.8, "groovy": 0.3,
        "rhythmic": 0.4, "funky": 0.4, "choppy": 0.4, "glitchy": 0.6,
        "simple": -0.5, "sparse": -0.6, "minimal": -0.5, "steady": -0.3, "straight": -0.3, "basic": -0.4,
    },
    "variance": {
        "evolving": 0.6, "varied": 0.6, "changing": 0.5, "unpredictable": 0.8, "experimental": 0.7,
        "progressive": 0.3, "surprising": 0.6, "dynamic": 0.3,
        "repetitive": -0.7, "hypnotic": -0.5, "looping": -0.6, "loop": -0.4, "loopable": -0.6,
        "consistent": -0.5, "steady": -0.3, "minimal": -0.3, "monotonous": -0.7,
    },
}  # fmt: skip

# A rising intensity over the whole piece.
RAMP_PHRASES = ("crescendo", "gradually build", "gradually builds", "slowly build", "slowly builds",
                "slow build", "builds up slowly", "builds up gradually", "steadily builds", "ever-building",
                "ever building", "rising tension")  # fmt: skip

# Structure words -> canonical section names (the names the style templates use).
_STRUCTURE: dict[str, str] = {
    "intro": "intro|introduction|opening",
    "verse": "verse",
    "pre_chorus": "pre-chorus|prechorus|pre chorus",
    "chorus": "chorus|hook|refrain",
    "bridge": "bridge|middle eight|middle 8",
    "build": "build-up|buildup|build up|builds up|build|builds|riser section",
    "drop": "drop|drops|the drop",
    "breakdown": "breakdown|break down|breakdowns",
    "solo": "solo",
    "climax": "climax|peak|crescendo",
    "outro": "outro|ending|coda|big finish|finale",
    "fade_out": "fade out|fade-out|fades out|fading out",
    "fade_in": "fade in|fade-in|fades in",
    "loop": "loop|loopable|seamless loop|looping",
}
STRUCTURE_PHRASES: dict[str, str] = {
    p: name for name, phrases in _STRUCTURE.items() for p in phrases.split("|")
}
