"""Genre vocabulary: the names, synonyms and hints that point a prompt at a style profile.

Phrases are lower case; ``|`` separates alternatives; a space in a phrase also matches a hyphen.
"""

from __future__ import annotations

# Genre names and synonyms -> style. Strong: naming the genre; weak: a hint of it.
_GENRES: dict[str, str] = {
    "techno": "techno|melodic techno|minimal techno|industrial techno|acid techno|hard techno|detroit techno"
              "|berlin techno|peak time techno|dark techno|hypnotic techno|warehouse techno",
    "house": "house|house music|chicago house|piano house|funky house|tech house|soulful house|acid house"
             "|uk garage|garage house|disco house|french house|jackin house",
    "deep_house": "deep house|tropical house|organic house|lounge house|deep tech",
    "trance": "trance|uplifting trance|psytrance|psy trance|psy-trance|progressive trance|vocal trance"
              "|goa trance",
    "edm_big_room": "edm|big room|big-room|electro house|festival edm|mainstage|main stage|progressive house"
                    "|future bass|complextro|bigroom",
    "drum_and_bass": "drum and bass|drum & bass|drum n bass|drum'n'bass|drum 'n' bass|drum-n-bass|dnb|d&b"
                     "|d'n'b|jungle music|ragga jungle|jungle dnb|liquid dnb|liquid drum and bass|neurofunk"
                     "|jump up",
    "dubstep": "dubstep|brostep|riddim|bass music|tearout|melodic dubstep",
    "synthwave": "synthwave|synth wave|retrowave|outrun|darksynth|dark synth|vaporwave|chillwave|synthpop"
                 "|synth-pop|synth pop|new wave|cyberpunk|80s synth",
    "ambient": "ambient|ambient music|soundscape|drone music|ambience|space ambient",
    "dark_ambient": "dark ambient|dark drone|horror ambient|dark soundscape|ambient horror",
    "emotional_piano": "sad piano|emotional piano|melancholic piano|melancholy piano|piano ballad"
                       "|cinematic piano"
                       "|sentimental piano|sad piano ballad|emotional piano ballad",
    "meditation": "meditation|meditative|yoga|mindfulness|spa|spa music|sleep music|healing music|reiki"
                  "|zen music"
                  "|sound bath|binaural|relaxation music|deep sleep|new age|new-age",
    "cinematic_orchestral": "cinematic|film score|movie score|orchestral|orchestra|symphonic|symphony"
                            "|film music|movie soundtrack|film soundtrack|orchestral score",
    "epic_trailer": "epic trailer|trailer|trailer music|epic music|battle music|hybrid orchestral"
                    "|epic orchestral|epic cinematic",
    "video_game_adventure": "video game|videogame|game music|game soundtrack|rpg|jrpg|adventure game"
                            "|overworld"
                            "|fantasy adventure|zelda|level music|game score",
    "chiptune": "chiptune|chip tune|chipmusic|chip music|8-bit|8 bit|8bit|16-bit|16 bit|nes|gameboy|game boy"
                "|bitpop|retro game|retro gaming|arcade",
    "classical_piano": "classical|classical piano|solo piano|piano sonata|sonata|nocturne|etude|étude|prelude"
                       "|baroque|romantic era|chopin|mozart|beethoven|debussy|satie|piano piece",
    "waltz": "waltz|valse|viennese waltz",
    "pop": "pop|pop song|pop music|dance pop|dance-pop|electropop|electro pop|k-pop|kpop|j-pop|jpop|top 40"
           "|radio pop|bubblegum pop|teen pop|pop ballad|power pop",
    "rock": "rock|rock and roll|rock 'n' roll|rock n roll|rock'n'roll|classic rock|hard rock|alternative rock"
            "|alt rock|arena rock|stadium rock|garage rock|grunge|southern rock|psychedelic rock|prog rock"
            "|rock band|surf rock|blues rock",
    "indie": "indie|indie rock|indie pop|shoegaze|dream pop|britpop|jangle pop|post-punk|post punk"
             "|bedroom pop"
             "|math rock|post-rock|post rock",
    "metal": "metal|heavy metal|thrash|thrash metal|death metal|black metal|metalcore|djent|nu metal|nu-metal"
             "|doom metal|power metal|symphonic metal|speed metal",
    "punk": "punk|punk rock|pop punk|pop-punk|skate punk|hardcore punk|emo|ska punk",
    "jazz_swing": "jazz|bebop|be-bop|big band|jazz club|smooth jazz|cool jazz|jazz standard|hard bop"
                  "|dixieland|ragtime|gypsy jazz|manouche|jazz trio|jazz combo|jazz quartet|swing jazz"
                  "|electro swing|jazz ballad",
    "blues": "blues|12-bar|12 bar|twelve-bar|twelve bar|delta blues|chicago blues|boogie-woogie|boogie woogie"
             "|blues shuffle|texas blues",
    "funk": "funk|p-funk|funk rock|jazz-funk|jazz funk|g-funk|funk groove",
    "soul_rnb": "soul|r&b|rnb|r'n'b|r and b|rhythm and blues|neo soul|neo-soul|motown|slow jam|quiet storm"
                "|contemporary r&b|soul music",
    "gospel": "gospel|church music|worship|praise|hymn|praise and worship|spirituals|gospel choir",
    "reggae": "reggae|roots reggae|dub|dancehall|ska|rocksteady|one drop|one-drop|lovers rock|reggae dub",
    "salsa": "salsa|latin|mambo|cha cha|cha-cha|chachacha|cumbia|merengue|bachata|son cubano|timba|latin jazz"
             "|afro-cuban|afro cuban|boogaloo",
    "bossa_nova": "bossa nova|bossa|bossanova|samba|brazilian|mpb|ipanema|brazilian jazz",
    "reggaeton": "reggaeton|reggaetón|dembow|perreo|latin trap|moombahton|urbano|latin urban",
    "afrobeats": "afrobeats|afrobeat|afro beat|afro-beat|afropop|afro-pop|amapiano|highlife|afro house|naija"
                 "|afro fusion|afrofusion",
    "trap": "trap|trap beat|drill|uk drill|rage beat|phonk|trap music|hard trap",
    "boom_bap": "boom bap|boom-bap|hip hop|hip-hop|hiphop|rap|rap beat|old school hip hop|90s hip hop"
                "|golden era hip hop|instrumental hip hop|east coast hip hop",
    "lofi_hip_hop": "lofi|lo-fi|lo fi|lofi hip hop|lo-fi hip hop|chillhop|jazzhop|jazz hop|study beats"
                    "|beats to study|lofi beats|lo-fi beats|chill beats",
    "country": "country|country music|western|country western|nashville|honky tonk|honky-tonk|bluegrass"
               "|cowboy|western swing|outlaw country|country pop",
    "folk": "folk|folk song|acoustic folk|indie folk|singer-songwriter|singer songwriter|americana|campfire"
            "|folk music|folk ballad",
    "celtic": "celtic|irish|scottish|jig|gaelic|highland|highlands|irish folk|sea shanty|shanty"
              "|tavern|medieval",
    "corporate": "corporate|business|presentation|commercial|advertising|advert|ad music|explainer|startup"
                 "|product video|promo video|company video|tech company|marketing video|infomercial",
    "disco": "disco|nu disco|nu-disco|nudisco|italo disco|70s disco|disco funk",
}  # fmt: skip

# Hints that point at a style without naming it (a quarter-strength vote, added to the tag cues).
_GENRE_HINTS: dict[str, str] = {
    "techno": "warehouse|rave|berghain|industrial|underground|after hours|afterhours|4am|strobe",
    "house": "club|four on the floor|four-on-the-floor",
    "edm_big_room": "workout|gym|fitness|festival|hands in the air",
    "rock": "stadium|arena|air guitar|mosh pit|headbang",
    "trap": "808|hi-hat roll|hat roll",
    "drum_and_bass": "jungle|breakbeat|amen break",
    "salsa": "tropical|caribbean|fiesta",
    "lofi_hip_hop": "study|studying|vinyl crackle|coffee shop|rainy day|homework",
    "meditation": "sleep|sleeping|asleep|bedtime|lullaby|relaxation|breathing|breathwork|massage|mantra",
    "cinematic_orchestral": "film|movie|scene|documentary|nature documentary|drama|soundtrack|underscore"
                            "|score"
                            "|horror|thriller|suspense|haunted|spooky|mystery",
    "epic_trailer": "battle|war|warriors|action|blockbuster",
    "video_game_adventure": "game|gaming|quest|adventure|dungeon",
    "corporate": "office|tutorial|vlog|youtube|ad|technology|app|brand|slideshow",
    "ambient": "space|cosmic|texture|atmosphere",
    "dark_ambient": "ominous|creepy|haunted|abandoned|cave|dread|eerie",
    "chiptune": "pixel|retro console",
    "country": "ranch|rodeo|truck|southern",
    "celtic": "fantasy village|pub|fiddle|bagpipe",
    "jazz_swing": "swing|swung|saxophone|speakeasy|nightclub|cocktail|candlelit|candlelight|dinner|wine bar",
    "bossa_nova": "cafe|café|beach bar|lounge",
    "reggae": "island|beach|jamaica|jamaican",
    "gospel": "church|choir|hallelujah",
    "waltz": "ballroom|carousel|3/4|three-four",
    "synthwave": "neon|night drive|80s|eighties|retro future",
    "disco": "mirror ball|mirrorball|disco ball|roller disco|roller skating|studio 54|boogie|funky strings",
}  # fmt: skip

# Adjectives that colour another genre ("jazzy hip hop"): always a secondary vote.
GENRE_ADJECTIVES: dict[str, str] = {
    "jazzy": "jazz_swing", "funky": "funk", "bluesy": "blues", "soulful": "soul_rnb", "folky": "folk",
    "poppy": "pop", "dubby": "reggae", "trappy": "trap", "housey": "house", "housy": "house", "rocky": "rock",
    "latin-tinged": "salsa", "swinging": "jazz_swing", "swingy": "jazz_swing", "gospel-like": "gospel",
    "celtic-sounding": "celtic",
}  # fmt: skip

GENRE_PHRASES: dict[str, str] = {p: style for style, phrases in _GENRES.items() for p in phrases.split("|")}
GENRE_HINT_PHRASES: dict[str, str] = {
    p: style for style, phrases in _GENRE_HINTS.items() if phrases for p in phrases.split("|")
}

# Patterns where a genre word is not the genre ("haunted house", "tourist trap", "touches the soul").
GENRE_BLOCKERS = (
    r"\bclassical guitars?\b",
    r"\bvoice[\s-]?overs?\b",
    r"\bin-house\b",
    r"\bpop[\s-]ups?\b",
    r"\b(?:haunted|tree|opera|farm|beach|doll|full|old|my|our|your|his|her|their|big|little|small|empty"
    r"|glass|wooden|country|summer|lake|coffee|safe|light|green)\s+house\b",
    r"\bhouse\s+(?:of|by|on|in|at)\b",
    r"\b(?:the|my|your|our|his|her|their|lost|old|gentle|kind|pure|human|whole)\s+soul\b",
    r"\bsoul[\s-]searching\b",
    r"\b(?:mouse|tourist|death|booby|sand|speed|honey)\s+trap\b",
    r"\btrap\s*doors?\b",
    r"\brock\s+(?:solid|bottom|climbing|formations?|garden)\b",
    r"\b(?:the|across the|cross)[\s-]+country\b",
    r"\bindie\s+(?:games?|developers?|studios?)\b",
    r"\bmetal\s+(?:pipes?|sheets?|detectors?|objects?)\b",
)

# Preferred keys per style family (pitch class -> weight); other families choose among all twelve.
FAMILY_KEYS: dict[str, dict[int, float]] = {
    "rock": {4: 3, 9: 3, 2: 3, 7: 2, 0: 2, 11: 1, 6: 1},
    "folk": {7: 3, 2: 3, 0: 2, 9: 2, 4: 2, 5: 1},
    "blues": {4: 3, 9: 3, 7: 2, 0: 1, 2: 1, 10: 1},
    "jazz": {5: 3, 10: 3, 3: 2, 0: 2, 7: 1, 8: 1, 2: 1},
    "soul": {8: 2, 3: 2, 1: 2, 10: 2, 5: 2, 0: 1, 7: 1},
    "funk": {4: 3, 9: 2, 2: 2, 7: 1, 0: 1, 5: 1},
}
