"""Word lists per content language, for the benchmark's generated text.

Real words (so the search index stems and folds them as it would real
articles), about adult learning, the platform's subject. The six languages
most of the dataset is written in get long lists; the others short ones.
"""

from __future__ import annotations

WORDS: dict[str, list[str]] = {
    "en": (
        "learning adult education training skills teachers learners community project "
        "digital literacy workplace library course programme support quality policy "
        "guidance network practice evaluation funding volunteers migrants inclusion "
        "lifelong basic numeracy language competence mentoring outreach partnership "
        "workshop method curriculum assessment participation motivation recognition "
        "validation experience knowledge research results local regional national "
        "european online blended classroom group session resources materials tools "
        "strategy approach challenge opportunity evidence impact development citizens "
        "older younger women employers unions museums prisons rural urban centre"
    ).split(),
    "fr": (
        "apprentissage éducation adultes formation compétences enseignants apprenants "
        "communauté projet numérique alphabétisation travail bibliothèque cours programme "
        "soutien qualité politique orientation réseau pratique évaluation financement "
        "bénévoles migrants inclusion tout au long de la vie langue mentorat partenariat "
        "atelier méthode reconnaissance validation expérience connaissances recherche "
        "résultats locale régionale nationale européenne enligne hybride classe groupe "
        "séance ressources outils stratégie démarche défi opportunité impact citoyens "
        "femmes employeurs syndicats musées prisons rural urbain centre public"
    ).split(),
    "de": (
        "Lernen Erwachsenenbildung Weiterbildung Kompetenzen Lehrkräfte Lernende "
        "Gemeinschaft Projekt digital Grundbildung Arbeitsplatz Bibliothek Kurs Programm "
        "Unterstützung Qualität Politik Beratung Netzwerk Praxis Bewertung Förderung "
        "Ehrenamtliche Migranten Inklusion lebenslang Sprache Mentoring Partnerschaft "
        "Werkstatt Methode Lehrplan Anerkennung Validierung Erfahrung Wissen Forschung "
        "Ergebnisse lokal regional national europäisch online Gruppe Sitzung Materialien "
        "Werkzeuge Strategie Ansatz Herausforderung Chance Wirkung Entwicklung Bürger "
        "Frauen Arbeitgeber Gewerkschaften Museen ländlich städtisch Zentrum Volkshochschule"
    ).split(),
    "es": (
        "aprendizaje educación adultos formación competencias docentes estudiantes "
        "comunidad proyecto digital alfabetización trabajo biblioteca curso programa "
        "apoyo calidad política orientación red práctica evaluación financiación "
        "voluntarios migrantes inclusión permanente idioma mentoría colaboración taller "
        "método reconocimiento validación experiencia conocimiento investigación "
        "resultados local regional nacional europea línea grupo sesión recursos "
        "herramientas estrategia enfoque desafío oportunidad impacto ciudadanos mujeres "
        "empleadores sindicatos museos rural urbano centro aula"
    ).split(),
    "it": (
        "apprendimento educazione adulti formazione competenze insegnanti discenti "
        "comunità progetto digitale alfabetizzazione lavoro biblioteca corso programma "
        "sostegno qualità politica orientamento rete pratica valutazione finanziamento "
        "volontari migranti inclusione permanente lingua tutoraggio partenariato "
        "laboratorio metodo riconoscimento convalida esperienza conoscenza ricerca "
        "risultati locale regionale nazionale europea gruppo sessione risorse strumenti "
        "strategia approccio sfida opportunità impatto cittadini donne datori sindacati "
        "musei rurale urbano centro aula"
    ).split(),
    "pl": (
        "uczenie edukacja dorosłych szkolenie umiejętności nauczyciele uczniowie "
        "społeczność projekt cyfrowy piśmienność praca biblioteka kurs program wsparcie "
        "jakość polityka doradztwo sieć praktyka ocena finansowanie wolontariusze "
        "migranci włączenie całe życie język mentoring partnerstwo warsztat metoda "
        "uznawanie walidacja doświadczenie wiedza badania wyniki lokalny regionalny "
        "krajowy europejski grupa sesja zasoby narzędzia strategia podejście wyzwanie "
        "szansa wpływ obywatele kobiety pracodawcy związki muzea wiejski miejski centrum"
    ).split(),
    "pt": (
        "aprendizagem educação adultos formação competências professores formandos "
        "comunidade projeto digital literacia trabalho biblioteca curso programa apoio "
        "qualidade política orientação rede prática avaliação financiamento voluntários "
        "migrantes inclusão língua parceria oficina método reconhecimento experiência"
    ).split(),
    "nl": (
        "leren volwasseneneducatie opleiding vaardigheden docenten cursisten gemeenschap "
        "project digitaal geletterdheid werkplek bibliotheek cursus programma "
        "ondersteuning kwaliteit beleid begeleiding netwerk praktijk evaluatie "
        "financiering vrijwilligers migranten inclusie taal partnerschap werkplaats"
    ).split(),
    "bg": "обучение образование възрастни умения учители общност проект цифров библиотека "
          "курс програма подкрепа качество политика мрежа практика".split(),
    "cs": "učení vzdělávání dospělých dovednosti učitelé komunita projekt digitální knihovna "
          "kurz program podpora kvalita politika síť praxe".split(),
    "da": "læring voksenuddannelse færdigheder lærere fællesskab projekt digital bibliotek "
          "kursus program støtte kvalitet politik netværk praksis".split(),
    "el": "μάθηση εκπαίδευση ενηλίκων δεξιότητες εκπαιδευτικοί κοινότητα έργο ψηφιακός "
          "βιβλιοθήκη μάθημα πρόγραμμα υποστήριξη ποιότητα πολιτική δίκτυο".split(),
    "et": "õppimine täiskasvanuharidus oskused õpetajad kogukond projekt digitaalne "
          "raamatukogu kursus programm tugi kvaliteet poliitika võrgustik".split(),
    "fi": "oppiminen aikuiskoulutus taidot opettajat yhteisö hanke digitaalinen kirjasto "
          "kurssi ohjelma tuki laatu politiikka verkosto käytäntö".split(),
    "ga": "foghlaim oideachas aosach scileanna múinteoirí pobal tionscadal digiteach "
          "leabharlann cúrsa clár tacaíocht cáilíocht beartas líonra".split(),
    "hr": "učenje obrazovanje odraslih vještine nastavnici zajednica projekt digitalni "
          "knjižnica tečaj program podrška kvaliteta politika mreža".split(),
    "hu": "tanulás felnőttoktatás készségek tanárok közösség projekt digitális könyvtár "
          "tanfolyam program támogatás minőség politika hálózat".split(),
    "lt": "mokymasis suaugusiųjų švietimas įgūdžiai mokytojai bendruomenė projektas "
          "skaitmeninis biblioteka kursas programa parama kokybė politika".split(),
    "lv": "mācīšanās pieaugušo izglītība prasmes skolotāji kopiena projekts digitāls "
          "bibliotēka kurss programma atbalsts kvalitāte politika".split(),
    "mt": "tagħlim edukazzjoni adulti ħiliet għalliema komunità proġett diġitali librerija "
          "kors programm appoġġ kwalità politika netwerk".split(),
    "ro": "învățare educația adulților competențe profesori comunitate proiect digital "
          "bibliotecă curs program sprijin calitate politică rețea".split(),
    "sk": "učenie vzdelávanie dospelých zručnosti učitelia komunita projekt digitálny "
          "knižnica kurz program podpora kvalita politika sieť".split(),
    "sl": "učenje izobraževanje odraslih spretnosti učitelji skupnost projekt digitalni "
          "knjižnica tečaj program podpora kakovost politika mreža".split(),
    "sv": "lärande vuxenutbildning färdigheter lärare gemenskap projekt digital bibliotek "
          "kurs program stöd kvalitet politik nätverk praktik".split(),
}

# Small connecting words, so sentences read less like keyword lists.
GLUE: dict[str, list[str]] = {
    "en": "the and of for in with to our a this".split(),
    "fr": "le la les et de des pour dans avec une".split(),
    "de": "der die das und für mit in von eine zum".split(),
    "es": "el la los y de para en con una del".split(),
    "it": "il la gli e di per in con una del".split(),
    "pl": "i w z na do dla oraz to jest się".split(),
    "pt": "o a os e de para em com uma do".split(),
    "nl": "de het en van voor in met een op".split(),
}

FIRST_NAMES = (
    "Anna Marie Lucia Jan Piotr Sofia Elena Marco Luca Ines Eva Hans Katarzyna Joao Pedro "
    "Nina Ola Mihai Ioana Dimitris Eleni Aino Mikko Lars Ingrid Sean Aoife Tomas Petra "
    "Zsofia Laszlo Ruta Janis Maria Giorgio Chiara Camille Louis Paul Emma Noah Mila"
).split()
LAST_NAMES = (
    "Weber Dubois Garcia Rossi Nowak Kowalski Silva Jansen Popescu Papadopoulos Virtanen "
    "Hansen Murphy Novak Horvath Kazlauskas Berzins Borg Nagy Svoboda Lindqvist Costa "
    "Muller Martin Bernard Moreau Ferrari Esposito Wojcik Lopez Fernandez Peeters"
).split()

# A word present in many English documents: the measured search query.
COMMON_SEARCH_WORD = "learning"
