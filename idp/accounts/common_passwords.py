"""A small embedded list of very common passwords, refused by the password policy.

Drawn from the well-known top lists of leaked passwords (global and Russian-speaking), plus words
specific to this service. Stored case-folded; the policy also refuses these words with only digits
or punctuation around them ("Spartak2024!!"). This is a floor, not a breach check: a production
deployment should add a check against a large breached-password corpus (ASVS 6.2.4: top 3000+).
"""

from __future__ import annotations

_WORDS = """
123456 password 12345678 qwerty 123456789 12345 1234 111111 1234567 dragon 123123 baseball
abc123 football monkey letmein 696969 shadow master 666666 qwertyuiop 123321 mustang 1234567890
michael 654321 superman 1qaz2wsx 7777777 121212 000000 qazwsx 123qwe killer trustno1 jordan
jennifer zxcvbnm asdfgh hunter buster soccer harley batman andrew tigger sunshine iloveyou
charlie robert thomas hockey ranger daniel starwars klaster 112233 george computer michelle
jessica pepper 1111 zxcvbn 555555 11111111 131313 freedom 777777 pass maggie 159753 aaaaaa
ginger princess joshua cheese amanda summer love ashley nicole chelsea matthew access yankees
987654321 dallas austin thunder taylor matrix william corvette hello martin heather secret
merlin diamond 1234qwer hammer silver 222222 88888888 anthony justin test bailey q1w2e3r4t5
patrick internet scooter orange 11111 golfer cookie richard samantha bigdog guitar jackson
whatever mickey chicken sparky snoopy maverick phoenix camaro peanut morgan welcome falcon
cowboy ferrari samsung andrea smokey steelers joseph mercedes dakota arsenal eagles melissa
boomer spider monster tigers yellow xxxxxx 123123123 gateway diablo bulldog qwer1234 purple
banana junior hannah 123654 porsche lakers iceman money london tennis 999999 coffee scooby
0000 boston q1w2e3r4 brandon chester mother forever johnny edward 333333 oliver player
knight midnight please chicago angel flower rabbit wizard admin administrator passw0rd
p@ssw0rd password1 password123 qwerty123 qwerty12345 1q2w3e 1q2w3e4r 1q2w3e4r5t 1q2w3e4r5t6y
zaq12wsx zaq1xsw2 1qaz2wsx3edc qwertyuiop123 qwertyqwerty passwordpassword iloveyouiloveyou
asdfghjkl zxcvbnm123 qazwsxedc 123qweasd 123qweasdzxc 147258369 123456789a 0987654321
1111111111 123456123456 111222333 11223344 12341234 aa123456 a123456 a12345678 abcd1234
gfhjkm ghbdtn vfhbyf yfnfif cjkysirj rjntyjr ntcn ckfdf
natasha marina nikita maksim maxim dmitry dmitriy sergey andrey alexander aleksandr vladimir
svetlana tatyana elena olga irina anastasia ekaterina alexey pavel roman denis artem
spartak zenit lokomotiv cska dinamo rossiya russia moscow moskva piter privet krasotka
solnyshko kotenok zaika lubov lyubov
пароль йцукен йцукенгшщзхъ фывапролджэ ячсмитьбю привет любовь солнышко котенок зайка
наташа марина россия москва спартак зенит
gosuslugi gosuslugi.ru госуслуги esia есиа egisz егисз gosid
"""

COMMON_PASSWORDS: frozenset[str] = frozenset(word.casefold() for word in _WORDS.split())
